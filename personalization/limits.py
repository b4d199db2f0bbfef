"""The Jinja2 environment templates run in, and the limits that stop a hostile one.

A template is written by a marketer, or pasted from somewhere, and rendered once per recipient in
the sending process: it must not reach anything of the process, and must not spend its memory or
time. Jinja's immutable sandbox refuses private attributes and changes to lists and dicts; on top
of it:

- only data and a short list of methods of text, mappings, lists and dates can be reached;
- every function a template can reach is shown by its name alone (never `<function ... at 0x...>`);
- `*`, `**`, `+` and `%` and the filters that take a width or a count are checked before they
  allocate, so `'x' * 10**9` or `'%999999999s' | format(1)` fail at once;
- each render has a deadline, a budget of loop iterations and a depth of calls, checked on every
  attribute, call and loop iteration (the templates' loops are wrapped at compile time).

Every refusal is a `Stop` (or Jinja's `SecurityError`) with a message a marketer understands.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from string import Formatter
from typing import Any, NoReturn

from jinja2 import ChainableUndefined, Undefined, pass_environment, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment


@dataclass(frozen=True)
class Limits:
    """What one email's render may spend."""

    output_bytes: int = 256 * 1024  #: subject, preheader and HTML together, in characters
    #: of this thread's own CPU time: a busy machine does not fail a template that waited its turn
    seconds: float = 1.0
    iterations: int = 100_000  #: every loop of the render together
    range_items: int = 10_000  #: the longest `range(...)`
    width: int = 1_000  #: the widest padding (`format`, `center`, `batch` counts...)
    depth: int = 40  #: macros calling macros (or themselves)
    number_bits: int = 4_096  #: the largest integer, about 1,233 digits

    @property
    def output_text(self) -> str:
        return f"{self.output_bytes // 1024} KB"


class Stop(Exception):
    """A limit reached: the render ends, and its message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(SecurityError):
    """An attribute or method a template may not use."""

    def __init__(self, attribute: str) -> None:
        super().__init__(f"the template tried to reach {attribute!r}, which templates may not use")
        self.attribute = attribute

    def __str__(self) -> str:
        return self.message or ""


#: How many ticks (attributes, calls, loop rounds) a render does between two readings of its clock.
TICKS_PER_CLOCK = 16


@dataclass(slots=True)
class RenderState:
    """One email's render: what it has spent and what it did (branches, fallbacks, missing)."""

    limits: Limits
    deadline: float
    iterations: int = 0
    depth: int = 0
    output: int = 0
    branches: set[str] = field(default_factory=set)
    fallbacks: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    ticks: int = 0

    def tick(self) -> None:
        # The clock is read every TICKS_PER_CLOCK ticks: reading this thread's CPU time is a
        # system call (about 1-2 us), a few dozen per email, and between two readings a render can
        # only do a few attributes, calls or loop rounds, each bounded by the other limits.
        self.ticks += 1
        if not self.ticks % TICKS_PER_CLOCK and time.thread_time() > self.deadline:
            raise Stop(f"the template ran longer than {self.limits.seconds:g} s")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.iterations:
            raise Stop(f"the template's loops went round more than {self.limits.iterations:,} times")
        self.tick()

    def wrote(self, chunk: str) -> None:
        self.output += len(chunk)
        if self.output > self.limits.output_bytes:
            raise Stop(f"the template's output passed {self.limits.output_text}")


#: The render in progress in this thread or task: the hooks below find it here, so that a template
#: can neither see nor forge it.
CURRENT: ContextVar[RenderState | None] = ContextVar("tailor_render", default=None)


def _state() -> RenderState | None:
    return CURRENT.get()


def _limits() -> Limits:
    state = CURRENT.get()
    return state.limits if state else Limits()


class Missing(ChainableUndefined):
    """A variable the recipient does not have. Chained: `last_purchase.category` is missing too
    (not an error) when there is no last purchase, and it keeps the dotted name for messages."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        if self._undefined_obj is not None or self._undefined_name is None:
            return self
        return type(self)(name=f"{self._undefined_name}.{name}")

    __getitem__ = __getattr__


class Shown:
    """A function a template may call, printed by its name alone."""

    __slots__ = ("_function", "_name")

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self._name = name
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return self._name

    __str__ = __repr__


#: The methods a template may call, by the kind of value: what a marketer's template needs.
TEXT_METHODS = frozenset(
    {
        *("capitalize", "casefold", "center", "count", "endswith", "find", "format", "index"),
        *("isalnum", "isalpha", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper"),
        *("join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace"),
        *("rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines"),
        *("startswith", "strip", "swapcase", "title", "upper", "zfill"),
    }
)
MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
SEQUENCE_METHODS = frozenset({"count", "index"})
DATE_METHODS = frozenset({"strftime", "isoformat", "weekday", "isoweekday", "date", "time"})
LOOP_METHODS = frozenset({"cycle", "changed"})


def _methods(obj: Any) -> frozenset[str]:
    if isinstance(obj, str):
        return TEXT_METHODS
    if isinstance(obj, Mapping):
        return MAPPING_METHODS
    if isinstance(obj, list | tuple):
        return SEQUENCE_METHODS
    if isinstance(obj, date | datetime | clock_time):
        return DATE_METHODS
    if isinstance(obj, LoopContext):
        return LOOP_METHODS
    return frozenset()


# --- sizes, checked before anything is allocated ------------------------------------------------


def _too_long(size: int) -> None:
    limits = _limits()
    if size > limits.output_bytes:
        raise Stop(f"the template's output passed {limits.output_text}")


def _width(value: Any) -> None:
    limits = _limits()
    if isinstance(value, int) and value > limits.width:
        raise Stop(f"a width or count of {value:,} is more than a template may ask for ({limits.width:,})")


def _number(value: int) -> None:
    if value.bit_length() > _limits().number_bits:
        raise Stop("the template computes a number too large for an email")


#: A %-format conversion: flags, width, precision.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)
#: A repr shows what an object is (its class, its address), never what an email says.
_REPR = "templates show values as text (%s or {}), not as their repr (%r, !r)"
#: A str.format spec's width and precision.
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?")


def _format_number(text: str | None) -> None:
    if not text:
        return
    if text == "*":
        raise Stop("a width taken from a value ('%*s') is more than a template may ask for")
    _width(int(text) if len(text) <= 9 else 10**9)


def check_percent_format(fmt: str) -> None:
    """`'%999999999s' % x` would allocate a gigabyte: the widths are checked first."""
    for match in _PERCENT.finditer(fmt):
        _format_number(match.group(1))
        _format_number(match.group(2))
        if match.group(3) in ("r", "a"):
            raise Stop(_REPR)


def check_brace_format(fmt: str) -> None:
    """The same for `'{:999999999}'.format(x)`; widths taken from values (`{:{w}}`) are refused."""
    for _text, _field, spec, conversion in Formatter().parse(fmt):
        if conversion in ("r", "a"):
            raise Stop(_REPR)
        if not spec:
            continue
        if "{" in spec:
            raise Stop("a width taken from a value ('{:{}}') is more than a template may ask for")
        match = _SPEC.match(spec)
        if match:
            _format_number(match.group(1))
            _format_number(match.group(2))


def _check_repeat(left: Any, right: Any) -> None:
    for items, times in ((left, right), (right, left)):
        if isinstance(items, str | list | tuple) and isinstance(times, int) and times > 0:
            _too_long(len(items) * times if isinstance(items, str) else len(items) * times * 8)
    numbers = isinstance(left, int) and isinstance(right, int)
    if numbers and left.bit_length() + right.bit_length() > _limits().number_bits:
        raise Stop("the template computes a number too large for an email")


def _check_power(base: Any, exponent: Any) -> None:
    numbers = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if numbers and exponent * math.log2(abs(base)) > _limits().number_bits:
        raise Stop("the template computes a number too large for an email")


def _check_concat(left: Any, right: Any) -> None:
    if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
        _too_long(len(left) + len(right))


def _check_text_call(function: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A method of a text that can make a much longer one: its result's length, estimated first.
    `join` reads its items once here, so they are passed on as a list."""
    owner = getattr(function, "__self__", None)
    if not isinstance(owner, str):
        return args
    name = getattr(function, "__name__", "")
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        _too_long(args[0])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        _too_long(_replaced_length(owner, args[0], args[1]))
    elif name == "join" and args:
        items = list(args[0])
        _too_long(len(owner) * max(len(items) - 1, 0) + sum(len(i) for i in items if isinstance(i, str)))
        return (items, *args[1:])
    return args


def _replaced_length(text: str, old: str, new: str) -> int:
    count = text.count(old) if old else len(text) + 1
    return len(text) + count * (len(new) - len(old))


def _check_arguments(args: Iterable[Any]) -> None:
    """What a call passes on stays within the limits (a macro doubling its text each call)."""
    for arg in args:
        if isinstance(arg, str):
            _too_long(len(arg))
        elif isinstance(arg, int) and not isinstance(arg, bool):
            _number(arg)


# --- globals -------------------------------------------------------------------------------------


def capped_range(*args: int) -> range:
    numbers = range(*args)
    limits = _limits()
    try:
        count = len(numbers)
    except OverflowError:
        count = limits.range_items + 1
    if count > limits.range_items:
        raise Stop(f"range() would count more numbers than a template may ({limits.range_items:,})")
    return numbers


def make_dict(**items: Any) -> dict[str, Any]:
    return dict(items)


class Counted(Iterator[Any]):
    """A loop's items, each one counted against the render's budget and deadline."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = items
        self._iterator = iter(items)

    def __iter__(self) -> Counted:
        return self

    def __next__(self) -> Any:
        state = _state()
        if state is not None:
            state.iterate()
        return next(self._iterator)

    def __len__(self) -> int:
        return len(self._items)  # type: ignore[arg-type]  # a TypeError is how LoopContext learns


# --- filters that take widths and counts -----------------------------------------------------------


def capped_filters(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Jinja's filters that could allocate without bound, each checked first."""
    center, indent, wordwrap = filters["center"], filters["indent"], filters["wordwrap"]
    fmt, replace, join = filters["format"], filters["replace"], filters["join"]
    batch, slice_, tojson = filters["batch"], filters["slice"], filters["tojson"]

    def capped_center(value: str, width: int = 80) -> str:
        _too_long(width)
        return center(value, width)

    def capped_indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        text = str(s)
        shift = width if isinstance(width, int) else len(str(width))
        _too_long(len(text) + (text.count("\n") + 1) * shift)
        return indent(s, width, first, blank)

    @pass_environment
    def capped_wordwrap(environment: Any, s: str, width: int = 79, *args: Any, **kwargs: Any) -> str:
        wrapstring = kwargs.get("wrapstring") or (args[1] if len(args) > 1 else None) or "\n"
        _too_long(len(s) + (len(s) // max(int(width), 1) + 1) * len(str(wrapstring)))
        return wordwrap(environment, s, width, *args, **kwargs)

    def capped_format(value: str, *args: Any, **kwargs: Any) -> str:
        check_percent_format(str(value))
        return fmt(value, *args, **kwargs)

    @pass_eval_context
    def capped_replace(eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None) -> str:
        _too_long(_replaced_length(str(s), str(old), str(new)))
        return replace(eval_ctx, s, old, new, count)

    @pass_eval_context
    def capped_join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
        items = list(value)
        _too_long(len(str(d)) * max(len(items) - 1, 0))
        return join(eval_ctx, items, d, attribute)

    def capped_batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Any:
        _width(linecount)
        return batch(value, linecount, fill_with)

    def capped_slice(value: Iterable[Any], slices: int, fill_with: Any = None) -> Any:
        _width(slices)
        return slice_(value, slices, fill_with)

    @pass_eval_context
    def capped_tojson(eval_ctx: EvalContext, value: Any, indent: int | None = None) -> Any:
        if isinstance(indent, int) and indent > 8:
            raise Stop("tojson indents by 8 at most")
        return tojson(eval_ctx, value, indent)

    @pass_environment
    def attr(environment: Any, obj: Any, name: str) -> Any:
        """Jinja's `attr`, through the sandbox's own getattr (and its limits)."""
        return environment.getattr(obj, name)

    return {
        "center": capped_center,
        "indent": capped_indent,
        "wordwrap": capped_wordwrap,
        "format": capped_format,
        "replace": capped_replace,
        "join": capped_join,
        "batch": capped_batch,
        "slice": capped_slice,
        "tojson": capped_tojson,
        "attr": attr,
    }


def finalize(value: Any) -> Any:
    """What `{{ ... }}` prints: None as nothing; a function is a mistake, never its repr."""
    if value is None:
        return ""
    if callable(value) and not isinstance(value, Undefined):
        raise Stop("the template prints a function instead of its result (are the brackets missing?)")
    return value


class Environment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with Tailor's limits (the module's docstring says which)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    #: The ids of the functions the compiler inserts calls to (templates.Sandbox sets them: module
    #: functions and a class, which live as long as the process), called directly.
    trusted: frozenset[int] = frozenset()

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(value, Undefined) or not callable(value):
            return True
        return attr in _methods(obj)

    def unsafe_undefined(self, obj: Any, attribute: str) -> NoReturn:
        raise Forbidden(attribute)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if (state := _state()) is not None:
            state.tick()
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            # The context's own mappings, the common case: what the sandbox's getattr returns for a
            # name that is no attribute of a dict (the item, unchecked), without the AttributeError
            # it raises and catches first to find that out.
            try:
                value = obj[attribute]
            except KeyError:
                pass
            else:
                return _shown(value, attribute)
        return _shown(super().getattr(obj, attribute), attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if (state := _state()) is not None:
            state.tick()
        return _shown(super().getitem(obj, argument), str(argument))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        sandboxed = super().wrap_str_format(value)
        if sandboxed is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            check_brace_format(fmt)
            return sandboxed(*args, **kwargs)

        return checked

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "+":
            _check_concat(left, right)
        elif operator == "%" and isinstance(left, str):
            check_percent_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        state = _state()
        if state is not None:
            state.tick()
        if id(__obj) in __self.trusted:  # by identity: a template's value is never hashed
            # The compiler's hidden calls (branch, probe, fallback, loop), a template cannot name
            # them: they only record what they are given or hand it back, so they need neither
            # the checks of a call's arguments nor the sandbox's test of the callable. Jinja passes
            # the loop's and block's variables for functions that take the context: these do not.
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return __obj(*args, **kwargs)
        function = __obj._function if isinstance(__obj, Shown) else __obj
        _check_arguments((*args, *kwargs.values()))
        args = _check_text_call(function, args)
        nested = state is not None and isinstance(function, Macro | LoopContext)
        if nested and state is not None:
            state.depth += 1
            if state.depth > state.limits.depth:
                raise Stop("the template calls itself too deeply")
        try:
            return super().call(__context, function, *args, **kwargs)
        finally:
            if nested and state is not None:
                state.depth -= 1


#: A name a dict has as an attribute (`items`, `get`...): the sandbox's getattr finds that first.
_DICT_ATTRIBUTES = frozenset(dir(dict))


def _shown(value: Any, name: str) -> Any:
    if callable(value) and not isinstance(value, Undefined | Shown | Macro | LoopContext):
        return Shown(name, value)
    return value
