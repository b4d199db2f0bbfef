"""The sandboxed Jinja2 templates of emails: front matter, compile errors with their line in the
file, and renders that say what they did (branches taken, fallbacks read, variables missing).

    sandbox = Sandbox(filters={"money": money})
    template = sandbox.compile("winback", text, version=2, known=known_variables(conn))
    rendered = template.render({"first_name": "Ada", "lifecycle": "lapsed"})

Compiling walks the parsed template before Jinja compiles it: what a template may not do
(include other files, reach private attributes, use a name or filter that does not exist) is
refused there with its line, and three kinds of hidden calls are inserted: one at the top of each
branch of each `if` (which records the branch), one around each printed variable (which records it
as missing when the recipient has no value) and one in place of each `default` filter (which
records the fallback). Loops are wrapped so that each iteration counts against the render's
budget. The records go to a per-render collector (`limits.CURRENT`) that templates cannot see.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from time import thread_time
from types import TracebackType
from typing import Any

from jinja2 import Template, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.visitor import NodeTransformer
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from personalization import front_matter
from personalization.limits import (
    CURRENT,
    Counted,
    Environment,
    Forbidden,
    Limits,
    Missing,
    RenderState,
    Shown,
    Stop,
    capped_filters,
    capped_range,
    finalize,
    make_dict,
)
from personalization.variables import FIELDS, RECOMMENDATION_FIELDS

#: The hidden globals the compiler inserts calls to. Templates cannot name them: names starting
#: with "__" are refused at compile.
BRANCH, PROBE, FALLBACK, LOOP = "__tailor_branch", "__tailor_probe", "__tailor_fallback", "__tailor_loop"
#: The filters that fall back to their argument when the value is missing, None or ''.
DEFAULTS = frozenset({"default", "d"})
#: Filters whose arguments name attributes (`map(attribute='x')`, `attr('x')`, `sort('x')`...).
ATTRIBUTE_FILTERS = frozenset(
    {"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum", "min", "max", "unique", "join"}
)
INCLUDES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


class TemplateError(Exception):
    """A template that cannot be imported: its name, the line in the file (front matter counted)."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.template = template
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.template}, line {self.line}" if self.line else self.template
        return f"{where}: {self.message}"


class RenderError(TemplateError):
    """A template that failed while rendering one email (a limit, a division by zero...)."""


class Branch(BaseModel):
    """One branch of an `{% if %}`: `L14` (the if on line 14), `L16` (an elif), `L14.else`."""

    model_config = ConfigDict(frozen=True)

    id: str
    line: int
    label: str


class Trace(BaseModel):
    """What one render did beside its text."""

    #: variable (dotted for attributes, `last_purchase.category`) -> the fallback text shown instead
    fallbacks: dict[str, str] = {}
    #: variables printed without a default while the recipient had no value: the reader saw nothing
    missing: set[str] = set()
    #: the ids of the branches taken
    branches: frozenset[str] = frozenset()


class Rendered(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    preheader: str
    html: str
    trace: Trace


@dataclass(frozen=True)
class _Part:
    """The subject, the preheader or the body, and how its lines map to the file's."""

    kind: str  # subject | preheader | body
    source: str
    offset: int = 0  #: body: file line = line + offset
    line: int | None = None  #: subject and preheader: the line of their key

    def file_line(self, line: int | None) -> int | None:
        if self.line is not None:
            return self.line
        return None if line is None else line + self.offset

    @property
    def filename(self) -> str:
        return f"<{self.kind}>"


@dataclass
class _Compiled:
    part: _Part
    template: Template


class CompiledTemplate:
    """A template ready to render, with the branches its `if`s have."""

    def __init__(
        self,
        name: str,
        version: int,
        parts: list[_Compiled],
        branches: Iterable[Branch],
        sources: front_matter.FrontMatter,
        limits: Limits,
    ) -> None:
        self.name = name
        self.version = version
        self.branches: tuple[Branch, ...] = tuple(branches)
        self.subject_source: str = sources.subject or ""
        self.preheader_source: str = sources.preheader or ""
        self._parts = {compiled.part.kind: compiled for compiled in parts}
        self._limits = limits

    def __repr__(self) -> str:
        return f"CompiledTemplate({self.name!r}, version={self.version})"

    def render(self, context: Mapping[str, Any]) -> Rendered:
        """The email for one recipient; RenderError (never a partial email) when the template fails."""
        state = RenderState(self._limits, deadline=thread_time() + self._limits.seconds)
        token = CURRENT.set(state)
        try:
            texts = {kind: self._run(compiled, context, state) for kind, compiled in self._parts.items()}
        finally:
            CURRENT.reset(token)
        # Built without validation: every value is already of its field's type, and this render's
        # own (the state is not used again), so validating would only copy them.
        trace = Trace.model_construct(
            fallbacks=state.fallbacks, missing=state.missing, branches=frozenset(state.branches)
        )
        return Rendered.model_construct(
            # A header is one line: the subject's newlines and runs of spaces become one space.
            subject=" ".join(texts["subject"].split()),
            preheader=" ".join(texts.get("preheader", "").split()),
            html=texts["body"],
            trace=trace,
        )

    def _run(self, compiled: _Compiled, context: Mapping[str, Any], state: RenderState) -> str:
        chunks: list[str] = []
        # RenderState.wrote, inlined: it runs for every chunk of every email.
        cap, output = state.limits.output_bytes, state.output
        try:
            for chunk in compiled.template.generate(context):
                output += len(chunk)
                if output > cap:
                    state.output = output
                    state.wrote("")  # raises the limit's Stop
                chunks.append(chunk)
            state.output = output
        except Exception as error:  # every failure of a template becomes its RenderError
            line = compiled.part.file_line(_template_line(error.__traceback__, compiled.part.filename))
            raise RenderError(self.name, line, _render_message(error)) from None
        return "".join(chunks)


class Sandbox:
    """The environment every template is compiled in; `filters` and `globals` are added to it."""

    def __init__(
        self,
        filters: Mapping[str, Callable[..., Any]] | None = None,
        globals: Mapping[str, Any] | None = None,
        *,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        env = Environment(autoescape=True, undefined=Missing, finalize=finalize, loader=None)
        env.filters.update(capped_filters(env.filters))
        env.filters["default"] = env.filters["d"] = _default
        env.filters.update(filters or {})
        env.globals.clear()  # no lipsum, cycler, joiner or namespace
        env.globals.update(range=Shown("range", capped_range), dict=Shown("dict", make_dict))
        for name, value in (globals or {}).items():
            env.globals[name] = Shown(name, value) if callable(value) else value
        env.globals.update({BRANCH: _record_branch, PROBE: _probe, FALLBACK: _fallback, LOOP: Counted})
        env.trusted = frozenset(map(id, (_record_branch, _probe, _fallback, Counted)))
        self.environment = env

    @property
    def names(self) -> set[str]:
        """The globals a template may use, beside its variables."""
        return {name for name in self.environment.globals if not name.startswith("__")}

    def compile(
        self,
        name: str,
        text: str,
        version: int = 0,
        known: Collection[str] | None = None,
        subject: str | None = None,
    ) -> CompiledTemplate:
        """TemplateError for anything that can be found before a render, with its line in the file.
        `subject`: a campaign's own subject (Jinja2 too) in place of the file's."""
        try:
            sources = front_matter.parse(text)
        except front_matter.FrontMatterError as error:
            raise TemplateError(name, error.line, error.message) from None
        if subject is not None:
            sources = dataclasses.replace(sources, subject=subject, subject_line=None)
        if sources.subject is None:
            line = 1 if sources.body_offset else None
            raise TemplateError(name, line, 'no subject: begin the file with ---, subject: "...", ---')
        parts = [_Part("subject", sources.subject, line=sources.subject_line)]
        if sources.preheader is not None:
            parts.append(_Part("preheader", sources.preheader, line=sources.preheader_line))
        parts.append(_Part("body", sources.body, offset=sources.body_offset))
        allowed = None if known is None else {*known, *self.names}
        branches: list[Branch] = []
        ids: Counter[int] = Counter()
        compiled = [self._compile(name, part, allowed, branches, ids) for part in parts]
        return CompiledTemplate(name, version, compiled, branches, sources, self.limits)

    def _compile(
        self,
        name: str,
        part: _Part,
        known: set[str] | None,
        branches: list[Branch],
        ids: Counter[int],
    ) -> _Compiled:
        env = self.environment
        try:
            tree = env.parse(part.source, name, part.filename)
        except TemplateSyntaxError as error:
            raise TemplateError(name, part.file_line(error.lineno), _syntax_message(error)) from None
        problems = _problems(tree, env.filters, env.tests, known)
        if problems:
            line, message = min(problems, key=lambda problem: problem[0])
            raise TemplateError(name, part.file_line(line), message)
        branches += _mark_branches(tree, _if_tags(env, part.source), part, ids)
        tree = _Instrument().visit(tree)
        if part.kind != "body":  # a subject is text, not HTML: "Tom & Jerry" stays as written
            off = nodes.Keyword("autoescape", nodes.Const(False))
            tree.body = [nodes.ScopedEvalContextModifier([off], tree.body)]
        tree.set_environment(env)
        try:
            code = env.compile(tree, name, part.filename)
        except TemplateSyntaxError as error:
            raise TemplateError(name, part.file_line(error.lineno), _syntax_message(error)) from None
        return _Compiled(part, env.template_class.from_code(env, code, env.make_globals(None)))


# --- checks before compiling --------------------------------------------------------------------


def _problems(
    tree: nodes.Template, filters: Mapping[str, Any], tests: Mapping[str, Any], known: set[str] | None
) -> list[tuple[int, str]]:
    """(line, message) of each thing the template may not do."""
    found: list[tuple[int, str]] = []
    for node in tree.find_all(nodes.Node):
        if isinstance(node, INCLUDES):
            found.append((node.lineno, "templates cannot include other files"))
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            found.append((node.lineno, f"templates may not use {node.attr!r}"))
        elif isinstance(node, nodes.Getitem) and _private(node.arg):
            found.append((node.lineno, f"templates may not use {_const(node.arg)!r}"))
        elif isinstance(node, nodes.Name) and node.name == "self":  # the template's own blocks
            found.append((node.lineno, "templates may not use 'self'"))
        elif isinstance(node, nodes.Name | nodes.Macro) and node.name.startswith("__"):
            found.append((node.lineno, f"templates may not use names that start with '__' ({node.name!r})"))
        elif isinstance(node, nodes.Filter | nodes.Test):
            found += _filter_problems(node, filters, tests)
    if known is not None:
        found += _unknown_variables(tree, known)
        found += _unknown_fields(tree)
    return found


def _filter_problems(
    node: nodes.Filter | nodes.Test, filters: Mapping[str, Any], tests: Mapping[str, Any]
) -> list[tuple[int, str]]:
    kind, names = ("filter", filters) if isinstance(node, nodes.Filter) else ("test", tests)
    if node.name not in names:
        return [(node.lineno, f"no {kind} named {node.name!r}{_did_you_mean(node.name, names)}")]
    if kind == "filter" and node.name in ATTRIBUTE_FILTERS:
        for arg in (*node.args, *(keyword.value for keyword in node.kwargs)):
            if _private(arg):
                return [(node.lineno, f"templates may not use {_const(arg)!r}")]
    return []


def _private(node: nodes.Node) -> bool:
    """A constant naming an attribute (or a dotted path of them) that starts with '_'."""
    value = _const(node)
    return isinstance(value, str) and any(part.startswith("_") for part in value.split("."))


def _const(node: nodes.Node) -> Any:
    return node.value if isinstance(node, nodes.Const) else None


def _unknown_variables(tree: nodes.Template, known: set[str]) -> list[tuple[int, str]]:
    """Names the template reads but neither sets nor has: a misspelling, found at import."""
    try:
        unknown = meta.find_undeclared_variables(tree) - known
    except TemplateSyntaxError:  # an unknown filter stops Jinja's walk: that problem is reported
        return []
    found = []
    for name in unknown:
        lines = [n.lineno for n in tree.find_all(nodes.Name) if n.name == name and n.ctx == "load"]
        found.append((min(lines, default=1), f"unknown variable {name!r}{_did_you_mean(name, known)}"))
    return found


def _unknown_fields(tree: nodes.Template) -> list[tuple[int, str]]:
    """`last_purchase.prodcut`, `item.prodcut` of a loop over the recommendations: a misspelt
    field of what the context adds, found at import (a name the template sets itself is its own)."""
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    fields = {name: known for name, known in FIELDS.items() if name not in assigned}
    for loop in tree.find_all(nodes.For):
        over = loop.iter.name if isinstance(loop.iter, nodes.Name) else None
        if over == "recommendations" and isinstance(loop.target, nodes.Name):
            fields[loop.target.name] = RECOMMENDATION_FIELDS
    found = []
    for node in tree.find_all(nodes.Getattr):
        owner = node.node
        if isinstance(owner, nodes.Getitem) and isinstance(owner.node, nodes.Name):
            known = RECOMMENDATION_FIELDS if owner.node.name == "recommendations" else None
        else:
            known = fields.get(owner.name) if isinstance(owner, nodes.Name) else None
        if known is not None and node.attr not in known | MAPPING_METHODS:
            said, has = _did_you_mean(node.attr, known), ", ".join(sorted(known))
            found.append((node.lineno, f"unknown field {node.attr!r}{said} (it has {has})"))
    return found


#: What a template may call on a mapping of the context: `last_purchase.get('product')`.
MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    visible = sorted(choice for choice in choices if not choice.startswith("__"))
    close = process.extractOne(name, visible, scorer=fuzz.ratio, score_cutoff=70)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _syntax_message(error: TemplateSyntaxError) -> str:
    message = error.message or "the template cannot be read"
    return message[:1].lower() + message[1:]


# --- branches ------------------------------------------------------------------------------------


@dataclass
class _IfTags:
    """The source text of one `if` and of its `elif`s and `else`, from the lexer."""

    if_: tuple[int, str]
    elifs: list[tuple[int, str]] = field(default_factory=list)
    else_: tuple[int, str] | None = None


def _if_tags(env: Environment, source: str) -> list[_IfTags]:
    """Each `{% if %}` in the order of the source, with its tags' lines and text; the else of a
    `{% for %}` is told apart by the stack of open ifs and fors."""
    tokens = list(env.lex(source))
    found: list[_IfTags] = []
    open_blocks: list[int | None] = []  # an index into found, or None for a for
    for i, (line, kind, _value) in enumerate(tokens):
        if kind != "block_begin":
            continue
        words = []
        for _line, token_kind, value in tokens[i + 1 :]:
            if token_kind == "block_end":
                break
            words.append(value)
        text = " ".join("".join(words).split())
        word = text.split(" ", 1)[0]
        top = open_blocks[-1] if open_blocks else None
        if word == "if":
            found.append(_IfTags((line, text)))
            open_blocks.append(len(found) - 1)
        elif word == "for":
            open_blocks.append(None)
        elif word in ("endif", "endfor") and open_blocks:
            open_blocks.pop()
        elif word == "elif" and top is not None:
            found[top].elifs.append((line, text))
        elif word == "else" and top is not None:
            found[top].else_ = (line, text)
    return found


def _ifs(children: Iterable[nodes.Node]) -> Iterator[nodes.If]:
    """The `if`s (not their elifs) in the order of their tags in the source."""
    for child in children:
        if isinstance(child, nodes.If):
            yield child
            yield from _ifs([*child.body, *(s for elif_ in child.elif_ for s in elif_.body), *child.else_])
        else:
            yield from _ifs(child.iter_child_nodes())


def _mark_branches(tree: nodes.Template, tags: list[_IfTags], part: _Part, ids: Counter[int]) -> list[Branch]:
    """Puts a call recording its id at the top of every branch; returns the branches."""
    ifs = list(_ifs([tree]))
    matched = len(ifs) == len(tags) and all(
        len(node.elif_) == len(tag.elifs) for node, tag in zip(ifs, tags, strict=True)
    )
    where = "" if part.kind == "body" else f", in the {part.kind}"
    branches = []
    for n, node in enumerate(ifs):
        tag = tags[n] if matched else _IfTags((node.lineno, "if"), [(e.lineno, "elif") for e in node.elif_])
        line = part.file_line(tag.if_[0]) or 1
        if_id = _branch_id(line, ids)
        branches.append(Branch(id=if_id, line=line, label=f"{tag.if_[1]} (line {line}{where})"))
        _record_at_top(node.body, if_id)
        for elif_, (elif_line, text) in zip(node.elif_, tag.elifs, strict=True):
            line_of_elif = part.file_line(elif_line) or line
            elif_id = _branch_id(line_of_elif, ids)
            label = f"{text} (line {line_of_elif}{where})"
            branches.append(Branch(id=elif_id, line=line_of_elif, label=label))
            _record_at_top(elif_.body, elif_id)
        if tag.else_ is not None or node.else_:
            else_line = part.file_line(tag.else_[0]) if tag.else_ else line
            label = f"else of the if on line {line}{where}"
        else:  # no else: the email without the block is a case of its own ("Hello." with no city)
            else_line, label = line, f"{tag.if_[1]}: not taken (line {line}{where})"
        branches.append(Branch(id=f"{if_id}.else", line=else_line or line, label=label))
        _record_at_top(node.else_, f"{if_id}.else")
    return branches


def _branch_id(line: int, ids: Counter[int]) -> str:
    """`L14`; a second if on the same line is `L14.2`."""
    ids[line] += 1
    return f"L{line}" if ids[line] == 1 else f"L{line}.{ids[line]}"


def _record_at_top(body: list[nodes.Node], branch: str) -> None:
    call = nodes.Call(nodes.Name(BRANCH, "load"), [nodes.Const(branch)], [], None, None)
    body.insert(0, nodes.Output([call]))


class _Instrument(NodeTransformer):
    """Printed variables report themselves missing, `default` reports its fallback, loops count."""

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        node.nodes = [_probed(child) for child in node.nodes]
        return self.generic_visit(node)

    def visit_Filter(self, node: nodes.Filter) -> nodes.Node:
        self.generic_visit(node)
        if node.name not in DEFAULTS or node.node is None:
            return node
        name = _dotted(node.node) or ""
        return nodes.Call(
            nodes.Name(FALLBACK, "load"),
            [nodes.Const(name), node.node, *node.args],
            node.kwargs,
            node.dyn_args,
            node.dyn_kwargs,
            lineno=node.lineno,
        )

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name(LOOP, "load"), [node.iter], [], None, None, lineno=node.lineno)
        return node


def _probed(expression: nodes.Expr) -> nodes.Expr:
    """`{{ first_name | upper }}` -> `{{ probe('first_name', first_name) | upper }}`."""
    if isinstance(expression, nodes.Filter) and expression.name not in DEFAULTS and expression.node:
        expression.node = _probed(expression.node)
        return expression
    name = _dotted(expression)
    if name is None:
        return expression
    return nodes.Call(
        nodes.Name(PROBE, "load"), [nodes.Const(name), expression], [], None, None, lineno=expression.lineno
    )


def _dotted(expression: nodes.Node) -> str | None:
    """`last_purchase.category` for a variable or a chain of its attributes, else None."""
    if isinstance(expression, nodes.Name):
        return expression.name
    if isinstance(expression, nodes.Getattr):
        base = _dotted(expression.node)
        return None if base is None else f"{base}.{expression.attr}"
    if isinstance(expression, nodes.Getitem) and isinstance(_const(expression.arg), str):
        base = _dotted(expression.node)
        return None if base is None else f"{base}.{_const(expression.arg)}"
    return None


# --- the hidden globals -------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return isinstance(value, Missing) or value is None or value == ""


def _record_branch(branch: str) -> Markup:
    if (state := CURRENT.get()) is not None:
        state.branches.add(branch)
    return Markup("")


def _probe(name: str, value: Any) -> Any:
    if _empty(value) and (state := CURRENT.get()) is not None:
        state.missing.add(name)
    return value


def _fallback(name: str, value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """`default`, as a marketer expects it: the fallback also for None and ''."""
    if not (_empty(value) or (boolean and not value)):
        return value
    if name and (state := CURRENT.get()) is not None:
        state.fallbacks[name] = str(default_value)
    return default_value


def _default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """The `default` filter where the compiler could not replace it (`map('default', 'x')`)."""
    return _fallback("", value, default_value, boolean)


# --- render errors ------------------------------------------------------------------------------


def _template_line(traceback: TracebackType | None, filename: str) -> int | None:
    """The template's line where it failed: Jinja rewrites its frames to the template's lines."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


#: Words for failures whose own message could show something of the process.
_PLAIN = {
    TypeError: "a value of the wrong kind for what the template does with it",
    ValueError: "a value the template cannot use",
    LookupError: "a value that is not there",
    AttributeError: "a value that is not there",
}


def _render_message(error: BaseException) -> str:
    if isinstance(error, Stop):
        return error.message
    if isinstance(error, Forbidden):
        return str(error)
    if isinstance(error, SecurityError):
        return "the template tried something templates may not do"
    if isinstance(error, RecursionError):
        return "the template calls itself too deeply"
    if isinstance(error, MemoryError):
        return "the template needs more memory than an email may use"
    if isinstance(error, OverflowError):
        return "a number in the template is too large"
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    text = (error.message or "") if isinstance(error, UndefinedError) else str(error)
    if text and len(text) < 200 and not any(mark in text for mark in ("<", ">", "__", "/", "\\", "0x")):
        return text
    plain = next((words for kind, words in _PLAIN.items() if isinstance(error, kind)), None)
    return plain or "the template failed"
