"""`LazyModel`: the base of our pydantic models; each builds its validator at first use, not at import.

A Lambda loads far more model classes than one invocation touches (every route's request
and response, every rule-pack section), so building them all at import is cold-start time
spent on models the invocation never uses. `defer_build` moves each model's build to its
first validation, serialization or schema; the models a request does use cost the same,
only later.
"""

from pydantic import BaseModel, ConfigDict


class LazyModel(BaseModel):
    model_config = ConfigDict(defer_build=True)
