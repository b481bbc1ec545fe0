"""Render the legal `.docx` templates with docxtpl — the only module that imports docxtpl.

docxtpl, python-docx, lxml and Jinja are imported inside functions, so importing this
module (or anything that imports it) loads none of them: only the documents function
pays for them, on first render.

Where the templates are (first match wins; the directory must hold `templates.yaml`):

1. `$HANDOFF_TEMPLATES_DIR`, when set. If it is set but wrong, rendering fails; it
   never falls back to another directory.
2. `templates/legal/` next to the `handoff` package — the Lambda bundle layout
   (`/var/task/handoff/`, `/var/task/templates/legal/`).
3. `templates/legal/` at the repository root, i.e. `functions/handoff/../../templates/legal`
   — a source checkout.

How a render works, and why it is fast. docxtpl's own `DocxTemplate.render` re-reads the
.docx, re-parses every XML part, re-cleans the XML and recompiles it with Jinja, then
re-serialises the whole package, on every call. Here the template is prepared once per
file version (path, size, mtime): docxtpl cleans the XML of the body, headers, footers and
footnotes (`patch_xml`) and Jinja compiles it, and the untouched members of the package
are kept as bytes. A render then runs docxtpl's `render_xml_part` (Jinja render, listing
and escape handling), `fix_tables` and `fix_docpr_ids` on the body, and writes a new ZIP
from the rendered parts and the kept bytes. Output members carry a fixed timestamp, so the
same template and context always give the same bytes and the same SHA-256.

Rendering is always autoescaped: `A & B <Ltd>` or `{{ 7*7 }}` in a value appears
literally. An undefined variable or a printed `None` is an error, never a blank in a
letter. Contexts are the pydantic models of `handoff.domain.documents`; docxtpl's rich
objects (InlineImage, Subdoc, RichText) are not used by these templates.
"""

import hashlib
import importlib
import io
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handoff.domain.base import LazyModel
from handoff.domain.document_kinds import DocumentKind

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES_DIR_ENV = "HANDOFF_TEMPLATES_DIR"
MANIFEST_FILE = "templates.yaml"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../handoff
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_VERSION = re.compile(r"^(\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|\d{4}-\d{2}-\d{2})$")


# ---------------------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------------------


class DocumentTemplateError(Exception):
    """Base of the renderer's errors: a template, the manifest or a context is wrong (a server fault)."""


class TemplatesDirectoryError(DocumentTemplateError):
    """No templates directory with a `templates.yaml` was found where the lookup order says."""


class ManifestError(DocumentTemplateError):
    """`templates.yaml` is missing, malformed, or names a file or model that does not exist."""


class UnknownTemplateError(DocumentTemplateError, LookupError):
    """The manifest has no template of that name."""


class TemplateContextError(DocumentTemplateError, TypeError):
    """The context is not an instance of the template's context model."""


class TemplateRenderError(DocumentTemplateError):
    """The template could not be rendered (an undefined variable, a printed None, a Jinja error)."""


# ---------------------------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------------------------


class TemplateSettings(LazyModel):
    """The environment this adapter reads; `handoff_templates_dir` overrides the lookup order."""

    model_config = ConfigDict(frozen=True)

    handoff_templates_dir: Annotated[
        Path | None, Field(description="Directory holding templates.yaml and the .docx files")
    ] = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "TemplateSettings":
        env = os.environ if environ is None else environ
        value = env.get(TEMPLATES_DIR_ENV)
        return cls(handoff_templates_dir=Path(value) if value else None)


class TemplateSpec(LazyModel):
    """One entry of `templates.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="Template name, e.g. demand_letter")]
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+\.docx$", description="File beside the manifest")]
    version: Annotated[str, Field(description="Semantic version (1.2.0) or a date (2026-02-05)")]
    description: Annotated[str, Field(description="What the document is for")]
    context_model: Annotated[str, Field(description="Dotted name of the pydantic context model")]

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> str:
        text = str(value)
        if not _VERSION.match(text):
            raise ValueError("version must be semver (1.2.0) or a date (2026-02-05)")
        return text

    def model_class(self) -> type[BaseModel]:
        module_name, _, class_name = self.context_model.rpartition(".")
        try:
            model = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError, ValueError) as exc:
            raise ManifestError(f"{self.name}: context model {self.context_model!r} not found") from exc
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ManifestError(f"{self.name}: {self.context_model!r} is not a pydantic model")
        return model


class TemplateManifest(LazyModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    templates: list[TemplateSpec]

    @field_validator("templates")
    @classmethod
    def _unique(cls, specs: list[TemplateSpec]) -> list[TemplateSpec]:
        names = [spec.name for spec in specs]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate template names: {', '.join(duplicates)}")
        return specs

    def by_name(self) -> dict[str, TemplateSpec]:
        return {spec.name: spec for spec in self.templates}


def templates_dir(settings: TemplateSettings | None = None) -> Path:
    """The templates directory, by the lookup order in the module docstring."""
    settings = settings if settings is not None else TemplateSettings.from_env()
    return _resolve_templates_dir(settings.handoff_templates_dir)


@lru_cache(maxsize=8)
def _resolve_templates_dir(override: Path | None) -> Path:
    if override is not None:
        if not (override / MANIFEST_FILE).is_file():
            raise TemplatesDirectoryError(f"${TEMPLATES_DIR_ENV}={override} has no {MANIFEST_FILE}")
        return override.resolve()
    candidates = (
        _PACKAGE_DIR.parent / "templates" / "legal",  # Lambda bundle: templates beside the package
        _PACKAGE_DIR.parent.parent
        / "templates"
        / "legal",  # checkout: functions/handoff/../../templates/legal
    )
    for candidate in candidates:
        if (candidate / MANIFEST_FILE).is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise TemplatesDirectoryError(f"no {MANIFEST_FILE} found; set ${TEMPLATES_DIR_ENV} (tried {tried})")


def load_manifest(directory: Path | None = None) -> TemplateManifest:
    """Read and validate `templates.yaml` (cached while the file is unchanged)."""
    path = (directory if directory is not None else templates_dir()) / MANIFEST_FILE
    try:
        stat = path.stat()
    except OSError as exc:
        raise ManifestError(f"cannot read {path}") from exc
    return _load_manifest(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_manifest(path: Path, _mtime_ns: int, _size: int) -> TemplateManifest:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return TemplateManifest.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc


def template_spec(name: DocumentKind | str, directory: Path | None = None) -> TemplateSpec:
    specs = load_manifest(directory).by_name()
    try:
        return specs[str(name)]
    except KeyError:
        raise UnknownTemplateError(f"no template named {str(name)!r} in {MANIFEST_FILE}") from None


# ---------------------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedDocument:
    """A generated document, with what the timeline records about it."""

    media_type: ClassVar[str] = DOCX_MEDIA_TYPE

    content: bytes
    sha256: str
    template_name: str
    template_version: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class _PreparedTemplate:
    """A template parsed, cleaned and compiled once; rendering only fills it in."""

    spec: TemplateSpec
    model: type[BaseModel]
    env: "Environment"
    static_package: bytes  # ZIP of the members copied as they are ([Content_Types].xml first)
    rendered_order: tuple[str, ...]  # members rendered on each call, appended in this order
    body_member: str
    body_head: str  # document part up to <w:body>
    root_namespaces: frozenset[tuple[str, str]]  # (prefix, uri) declared on the document's root
    body_source: str  # docxtpl-cleaned body, ready for Jinja
    body_tail: str  # document part after </w:body>
    part_sources: tuple[tuple[str, str], ...]  # headers, footers, footnotes: member -> cleaned source
    footnote_members: frozenset[str]
    plain_sources: tuple[tuple[str, str], ...]  # docProps/core.xml when it holds tags; rendered as-is


def _refuse_none(value: object) -> object:
    if value is None:
        raise TemplateRenderError("a template printed None: guard optional values with {% if %} or `or`")
    return value


def _new_environment() -> "Environment":
    """A Jinja environment that compiles each distinct source once (docxtpl asks for it on every render)."""
    from jinja2 import Environment, StrictUndefined, Template

    class _CompilingOnceEnvironment(Environment):
        def __init__(self) -> None:
            super().__init__(autoescape=True, undefined=StrictUndefined, finalize=_refuse_none)
            self._compiled: dict[str, Template] = {}

        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            template = self._compiled.get(source)
            if template is None:
                template = self._compiled[source] = super().from_string(source)
            return template

    return _CompilingOnceEnvironment()


def _prepare(spec: TemplateSpec, path: Path) -> _PreparedTemplate:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docxtpl import DocxTemplate

    model = spec.model_class()
    try:
        data = path.read_bytes()
        template = DocxTemplate(io.BytesIO(data))
        document = template.get_docx()
    except Exception as exc:  # python-docx raises several kinds on a broken package
        raise ManifestError(f"{spec.name}: {path.name} is not a readable .docx ({exc})") from exc

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        members = {info.filename: package.read(info) for info in package.infolist()}
        order = tuple(info.filename for info in package.infolist())

    body_member = document.part.partname.membername
    original = members[body_member].decode("utf-8")
    start = re.search(r"<w:body[\s>]", original)
    end = original.rfind("</w:body>")
    if start is None or end < 0:
        raise ManifestError(f"{spec.name}: {body_member} has no <w:body>")

    part_sources: list[tuple[str, str]] = []
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.HEADER, RT.FOOTER):
            continue
        part = rel.target_part
        part_sources.append((part.partname.membername, template.patch_xml(template.get_part_xml(part))))
    footnotes_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    footnotes: list[str] = []
    for part in document.part.package.iter_parts():
        if part.content_type == footnotes_type:
            footnotes.append(part.partname.membername)
            part_sources.append((part.partname.membername, template.patch_xml(part.blob.decode("utf-8"))))

    plain_sources: list[tuple[str, str]] = []
    core = members.get("docProps/core.xml", b"").decode("utf-8")
    if "{{" in core or "{%" in core:
        plain_sources.append(("docProps/core.xml", core))

    rendered_members = {body_member} | {m for m, _ in part_sources} | {m for m, _ in plain_sources}
    prepared = _PreparedTemplate(
        spec=spec,
        model=model,
        env=_new_environment(),
        static_package=_static_package(
            [(name, members[name]) for name in order if name not in rendered_members]
        ),
        rendered_order=tuple(name for name in order if name in rendered_members),
        body_member=body_member,
        body_head=original[: start.start()],
        root_namespaces=_root_namespaces(members[body_member]),
        body_source=template.patch_xml(template.get_xml()),
        body_tail=original[end + len("</w:body>") :],
        part_sources=tuple(part_sources),
        footnote_members=frozenset(footnotes),
        plain_sources=tuple(plain_sources),
    )
    _compile(prepared)
    return prepared


def _prepared_template(name: DocumentKind | str) -> _PreparedTemplate:
    directory = templates_dir()
    spec = template_spec(name, directory)
    path = directory / spec.file
    try:
        stat = path.stat()
    except OSError as exc:
        raise ManifestError(f"{spec.name}: {path} does not exist") from exc
    return _prepare_cached(spec, path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _prepare_cached(spec: TemplateSpec, path: Path, _mtime_ns: int, _size: int) -> _PreparedTemplate:
    return _prepare(spec, path)


_BODY_OPEN = re.compile(r'^<w:body((?:\s+xmlns(?::[\w.-]+)?="[^"]*")*)\s*>')
_XMLNS = re.compile(r'xmlns(?::([\w.-]+))?="([^"]*)"')


def _root_namespaces(document_xml: bytes) -> frozenset[tuple[str, str]]:
    from lxml import etree

    root = etree.fromstring(document_xml)
    return frozenset((prefix or "", uri) for prefix, uri in root.nsmap.items())


def _without_inherited_namespaces(body_xml: str, prepared: _PreparedTemplate) -> str:
    """Drop the namespace declarations lxml repeats on the rendered <w:body> when the document's root
    already declares every one of them identically (as python-docx's own output has it)."""
    match = _BODY_OPEN.match(body_xml)
    if match is None:
        return body_xml
    declared = {(prefix, uri) for prefix, uri in _XMLNS.findall(match.group(1))}
    if not declared <= prepared.root_namespaces:
        return body_xml
    return "<w:body>" + body_xml[match.end() :]


def _jinja_source(docxtpl_source: str) -> str:
    """The string docxtpl's `render_xml_part` hands to Jinja for a cleaned part (it puts each paragraph
    on its own line for error messages). Used only to compile ahead of time: should docxtpl change
    this, the first render compiles once more and nothing else changes."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", docxtpl_source)


def _compile(prepared: _PreparedTemplate) -> None:
    """Compile every templated part now, so a broken template fails when prepared, not mid-render."""
    from jinja2 import TemplateError

    try:
        for source in (prepared.body_source, *(s for _, s in prepared.part_sources)):
            prepared.env.from_string(_jinja_source(source))
        for _, source in prepared.plain_sources:
            prepared.env.from_string(source)
    except TemplateError as exc:
        raise ManifestError(f"{prepared.spec.name} {prepared.spec.version}: {exc}") from exc


def _render_members(prepared: _PreparedTemplate, context: Mapping[str, object]) -> dict[str, bytes]:
    """Render the templated members of the package with docxtpl's own per-part steps."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from lxml import etree

    env = prepared.env
    # A DocxTemplate that never opens a file: it carries docxtpl's per-render state (docPr ids).
    helper = DocxTemplate(io.BytesIO())
    helper.docx_ids_index = 1000
    out: dict[str, bytes] = {}
    try:
        body = helper.render_xml_part(prepared.body_source, None, context, env)
        tree = helper.fix_tables(body)
        helper.fix_docpr_ids(tree)
        body_xml = _without_inherited_namespaces(etree.tostring(tree, encoding="unicode"), prepared)
        out[prepared.body_member] = (prepared.body_head + body_xml + prepared.body_tail).encode("utf-8")
        for member, source in prepared.part_sources:
            xml = helper.render_xml_part(source, None, context, env)
            if not xml.startswith("<?xml"):
                xml = _XML_DECLARATION + xml
            out[member] = xml.encode("utf-8")
        for member, source in prepared.plain_sources:
            out[member] = env.from_string(source).render(context).encode("utf-8")
    except TemplateError as exc:
        raise TemplateRenderError(f"{prepared.spec.name} {prepared.spec.version}: {exc}") from exc
    return out


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _static_package(members: list[tuple[str, bytes]]) -> bytes:
    """A ZIP of the members no render changes (styles alone are ~800 kB of XML): compressed once."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members:
            package.writestr(_zip_info(name), data)
    return buffer.getvalue()


def _write_package(prepared: _PreparedTemplate, rendered: Mapping[str, bytes]) -> bytes:
    """The static package with the rendered members appended (ZIP append rewrites only the directory)."""
    buffer = io.BytesIO()
    buffer.write(prepared.static_package)
    with zipfile.ZipFile(buffer, "a") as package:
        for name in prepared.rendered_order:
            package.writestr(_zip_info(name), rendered[name])
    return buffer.getvalue()


def context_mapping(context: BaseModel) -> dict[str, object]:
    """The template's top-level variables: the model's fields, nested models kept as objects."""
    return {name: getattr(context, name) for name in type(context).model_fields}


def render(kind_or_template_name: DocumentKind | str, context: BaseModel) -> RenderedDocument:
    """Render a template of `templates.yaml` with its context model; autoescaped, deterministic bytes."""
    prepared = _prepared_template(kind_or_template_name)
    if not isinstance(context, prepared.model):
        raise TemplateContextError(
            f"{prepared.spec.name} needs a {prepared.model.__name__}, not a {type(context).__name__}"
        )
    rendered = _render_members(prepared, context_mapping(context))
    content = _write_package(prepared, rendered)
    return RenderedDocument(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        template_name=prepared.spec.name,
        template_version=prepared.spec.version,
    )


def template_variables(name: DocumentKind | str) -> set[str]:
    """Top-level variables the template uses: docxtpl's `get_undeclared_template_variables` (body,
    headers, footers), plus any used in footnotes or document properties, which this renderer also fills."""
    from docxtpl import DocxTemplate
    from jinja2 import meta

    prepared = _prepared_template(name)
    path = templates_dir() / prepared.spec.file
    variables = set(DocxTemplate(path).get_undeclared_template_variables(jinja_env=prepared.env))
    extra = [s for m, s in prepared.part_sources if m in prepared.footnote_members]
    extra += [s for _, s in prepared.plain_sources]
    for source in extra:
        variables |= meta.find_undeclared_variables(prepared.env.parse(source))
    return variables


def preload(names: list[str] | None = None) -> None:
    """Prepare templates ahead of the first render (e.g. in a Lambda's init phase)."""
    for name in names if names is not None else list(load_manifest().by_name()):
        _prepared_template(name)


def clear_cache() -> None:
    """Forget prepared templates, the manifest and the resolved directory (tests, template editing)."""
    _prepare_cached.cache_clear()
    _load_manifest.cache_clear()
    _resolve_templates_dir.cache_clear()
