"""Templates written to break out of the sandbox or to exhaust the sending process, from public
server-side template injection payload lists (PayloadsAllTheThings' Jinja2 section, HackTricks'
Jinja2 SSTI page) and the obvious resource attacks. Each is refused at import (TemplateError) or
cut during its render (RenderError), at once, with a message that shows nothing of the process."""

from __future__ import annotations

import os
import re
import time

import pytest

from personalization.templates import RenderError, Sandbox, TemplateError
from personalization.variables import CONTEXT, contact_fields

KNOWN = {*contact_fields(), *CONTEXT}
HEAD = '---\nsubject: "Hi {{ first_name }}"\n---\n'
CONTACT = {
    "first_name": "Ada",
    "city": "Lyon",
    "lifecycle": "lapsed",
    "recommendations": [{"product": "Trail runner 2", "category": "running"}],
    "last_purchase": {"product": "Trail runner 1", "category": "running"},
}

HOSTILE = {
    # attribute walks to Python's classes, modules and builtins
    "mro subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "read a file": "{{ ''.__class__.__mro__[2].__subclasses__()[40]('/etc/passwd').read() }}",
    "base subclasses loop": "{% for x in ().__class__.__base__.__subclasses__() %}"
    "{% if 'warning' in x.__name__ %}{{ x()._module.__builtins__['__import__']('os').popen('id').read() }}"
    "{% endif %}{% endfor %}",
    "config items": "{{ config.items() }}",
    "config globals": "{{ config.__class__.__init__.__globals__['os'].popen('id').read() }}",
    "template context": "{{ self._TemplateReference__context.cycler.__init__.__globals__"
    ".os.popen('id').read() }}",
    "self init": "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "cycler globals": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "joiner globals": "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "namespace globals": "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "namespace accumulator": "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "request application": "{{ request.application.__globals__.__builtins__"
    ".__import__('os').popen('id').read() }}",
    "range self": "{{ range.__self__ }}",
    "escaped underscores": "{{ first_name|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "item with escaped underscores": "{{ first_name['\\x5f\\x5fclass\\x5f\\x5f'] }}",
    "attribute name built at run time": "{{ first_name|attr(['_'*2, 'class', '_'*2]|join) }}",
    "map attribute": "{{ recommendations|map(attribute='__class__')|list }}",
    "selectattr": "{{ recommendations|selectattr('__class__')|list }}",
    "dict of a value": "{{ first_name.__dict__ }}",
    "loop class": "{% for r in recommendations %}{{ loop.__class__ }}{% endfor %}",
    "format field attribute": "{{ '{0.__class__}'.format(first_name) }}",
    "format field built at run time": "{{ ('{0.' ~ '_'*2 ~ 'class' ~ '_'*2 ~ '}').format(first_name) }}",
    "percent repr of an object": "{{ '%r'|format(range) }}",
    "an unlisted method": "{{ first_name.encode('utf-8') }}",
    # the immutable sandbox
    "list pop": "{{ recommendations.pop() }}",
    "dict update": "{{ last_purchase.update(product='x') }}",
    # other files
    "include passwd": "{% include '/etc/passwd' %}",
    "extends": "{% extends 'base.html' %}",
    "import": "{% import 'macros.html' as m %}",
    "from import": "{% from 'macros.html' import footer %}",
    # time
    "a billion iterations": "{% for i in range(10**9) %}{% endfor %}",
    "nested loops": "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    "nested loops within the range cap": "{% for a in range(9999) %}{% for b in range(9999) %}"
    "{% endfor %}{% endfor %}",
    "loops over long texts": "{% for a in 'x'*200000 %}{% for b in 'x'*200000 %}{% endfor %}{% endfor %}",
    "recursive macro": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "recursive macro doubling its text": "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
    "recursive loop": "{% for i in range(3) recursive %}{{ loop([i]) }}{% endfor %}",
    # memory
    "a gigabyte of text": "{{ 'x' * 10**9 }}",
    "a huge list": "{{ [1] * 10**9 }}",
    "a huge number": "{{ 9**999999 }}",
    "a power tower": "{{ 10**100**100 }}",
    "output past the cap": "{% for i in range(9000) %}{{ 'Trail runner 2 ' * 2 }}{% endfor %}",
    "percent padding": "{{ '%999999999s'|format(1) }}",
    "percent operator padding": "{{ '%999999999d' % 1 }}",
    "brace padding": "{{ '{:999999999}'.format(1) }}",
    "brace precision": "{{ '{:.999999999f}'.format(1.5) }}",
    "center": "{{ first_name|center(999999999) }}",
    "ljust": "{{ first_name.ljust(999999999) }}",
    "indent": "{{ first_name|indent(999999999) }}",
    "wordwrap": "{{ first_name|wordwrap(1, wrapstring='x'*200000) }}",
    "batch fill": "{{ recommendations|batch(999999999, 'x')|list }}",
    "slice": "{{ recommendations|slice(999999999)|list }}",
    "join with a long separator": "{{ range(10000)|join('x'*100000) }}",
    "replace growth": "{{ ('x'*100000)|replace('x', 'y'*100000) }}",
    "str replace growth": "{{ ('x'*100000).replace('x', 'y'*100000) }}",
    "tojson indent": "{{ recommendations|tojson(indent=999999999) }}",
}

#: What must never show, in an output or in a message (quoted names aside: "may not use '__class__'").
LEAKS = ("<class", "<function", "<built-in", "<module", "object at 0x", "Traceback", "/etc", "__", "File ")


def leaks(text: str) -> list[str]:
    unquoted = re.sub(r"'[^']*'", "''", text)
    found = [mark for mark in LEAKS if mark in unquoted]
    found += [word for word in ("os", "subprocess", "popen") if re.search(rf"\b{word}\b", unquoted)]
    found += [str(path) for path in (os.getcwd(), os.path.expanduser("~")) if len(path) > 1 and path in text]
    secrets = (value for value in os.environ.values() if len(value) >= 12)
    return found + [f"${name}" for name, value in os.environ.items() if value in text and value in secrets]


def attempt(sandbox: Sandbox, body: str) -> TemplateError | str:
    """The error a hostile template ends in, or its HTML if it rendered."""
    try:
        return sandbox.compile("winback", HEAD + body, known=KNOWN).render(CONTACT).html
    except TemplateError as error:  # RenderError is one too
        return error


def test_there_are_at_least_thirty_hostile_templates():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_template_is_refused_or_cut_quickly_and_shows_nothing(body):
    started = time.monotonic()

    outcome = attempt(Sandbox(), body)

    assert time.monotonic() - started < 1.5
    assert isinstance(outcome, TemplateError), f"rendered: {outcome[:200]!r}"
    assert outcome.template == "winback" and outcome.message
    assert leaks(str(outcome)) == []


def test_refusals_at_import_and_cuts_at_render_say_why():
    sandbox = Sandbox()
    outcomes = {name: attempt(sandbox, HOSTILE[name]) for name in HOSTILE}

    assert isinstance(outcomes["include passwd"], TemplateError)
    assert not isinstance(outcomes["include passwd"], RenderError)
    assert str(outcomes["include passwd"]) == "winback, line 4: templates cannot include other files"
    assert str(outcomes["range self"]) == "winback, line 4: templates may not use '__self__'"
    assert str(outcomes["config items"]) == "winback, line 4: unknown variable 'config'"
    assert str(outcomes["attribute name built at run time"]) == (
        "winback, line 4: the template tried to reach '__class__', which templates may not use"
    )
    assert str(outcomes["a gigabyte of text"]) == "winback, line 4: the template's output passed 256 KB"
    assert str(outcomes["recursive macro"]) == "winback, line 4: the template calls itself too deeply"
    budget = str(outcomes["nested loops within the range cap"])
    assert budget.endswith("the template's loops went round more than 100,000 times")
    assert "range() would count more numbers" in str(outcomes["a billion iterations"])
    assert str(outcomes["a huge number"]).endswith("the template computes a number too large for an email")


def test_a_legitimate_template_renders_the_same_after_hostile_ones():
    sandbox = Sandbox()
    body = (
        "{% if lifecycle == 'lapsed' %}<p>We miss you, {{ first_name | default('there') }}</p>{% endif %}"
        "{% for r in recommendations %}<li>{{ r.product }}</li>{% endfor %}{{ company }}"
    )
    template = sandbox.compile("winback", HEAD + body, known=KNOWN)
    before = template.render(CONTACT)

    for hostile in HOSTILE.values():
        attempt(sandbox, hostile)
    after = template.render(CONTACT)

    assert after == before
    assert after.html == "<p>We miss you, Ada</p><li>Trail runner 2</li>"
    assert after.trace.branches == {"L4"} and after.trace.missing == {"company"}
