"""Compiling and rendering templates: front matter, escaping, errors at their line in the file,
branches, and the trace of what each render showed instead of a missing value."""

from __future__ import annotations

import pytest

from personalization.limits import Limits
from personalization.templates import RenderError, Sandbox, TemplateError

KNOWN = {"first_name", "last_name", "city", "lifecycle", "last_purchase", "recommendations", "campaign"}
HEAD = (
    "---\n"
    "subject: \"{{ first_name | default('there') }}, we miss you\"\n"
    'preheader: "Your {{ city }} picks"\n'
    "---\n"
)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


def compile_error(sandbox: Sandbox, text: str, name: str = "winback") -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        sandbox.compile(name, text, known=KNOWN)
    return caught.value


def test_subject_and_preheader_of_the_front_matter_are_rendered(sandbox):
    template = sandbox.compile("winback", HEAD + "<p>Hi {{ first_name }}</p>", known=KNOWN)

    rendered = template.render({"first_name": "Ada", "city": "Lyon"})

    assert (rendered.subject, rendered.preheader) == ("Ada, we miss you", "Your Lyon picks")
    assert rendered.html == "<p>Hi Ada</p>"


def test_a_contacts_field_is_escaped_in_the_html_but_not_in_the_subject(sandbox):
    template = sandbox.compile("winback", HEAD + "<p>{{ first_name }}</p>", known=KNOWN)

    rendered = template.render({"first_name": "<script>alert(1)</script> & Co"})

    assert rendered.html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</p>"
    assert rendered.subject == "<script>alert(1)</script> & Co, we miss you"


def test_a_template_without_a_subject_is_refused(sandbox):
    error = compile_error(sandbox, "<p>Hi {{ first_name }}</p>")

    assert "no subject" in str(error)


def test_an_unknown_front_matter_key_is_refused_with_its_line(sandbox):
    error = compile_error(sandbox, '---\nsubject: "Hi"\nsubjet: "Hello"\n---\n<p></p>')

    assert error.line == 3
    assert "did you mean 'subject'?" in error.message


def test_bad_yaml_in_the_front_matter_is_reported_at_its_line(sandbox):
    error = compile_error(sandbox, '---\nsubject: "Hi\npreheader: [\n---\n<p></p>')

    assert error.line is not None and error.line >= 2
    assert "not valid YAML" in error.message


def test_a_syntax_error_in_the_body_is_at_its_line_in_the_file(sandbox):
    error = compile_error(sandbox, HEAD + "<p>\n</p>\n{{ first_name }\n")

    assert (error.template, error.line) == ("winback", 7)
    assert str(error) == "winback, line 7: unexpected '}'"


def test_a_syntax_error_in_the_subject_is_at_the_subject_line(sandbox):
    error = compile_error(sandbox, '---\npreheader: "Hi"\nsubject: "{{ first_name }"\n---\n<p></p>')

    assert error.line == 3


def test_a_syntax_error_in_the_preheader_is_at_the_preheader_line(sandbox):
    error = compile_error(sandbox, '---\nsubject: "Hi"\npreheader: "{% if city %}"\n---\n<p></p>')

    assert error.line == 3
    assert "end of template" in error.message


def test_an_unknown_variable_is_refused_with_a_suggestion(sandbox):
    error = compile_error(sandbox, HEAD + "<p>Hi</p>\n<p>{{ frist_name }}</p>")

    assert error.line == 6
    assert error.message == "unknown variable 'frist_name' (did you mean 'first_name'?)"


def test_names_the_template_sets_itself_are_known(sandbox):
    body = "{% set greeting = 'Hi' %}"
    body += "{% for item in recommendations %}{{ greeting }} {{ item.product }}{% endfor %}"
    body += "{% macro shout(word) %}{{ word | upper }}{% endmacro %}{{ shout('sale') }}"

    rendered = sandbox.compile("winback", HEAD + body, known=KNOWN).render(
        {"recommendations": [{"product": "Trail runner 2"}]}
    )

    assert rendered.html == "Hi Trail runner 2SALE"


def test_an_unknown_filter_is_refused_with_its_line(sandbox):
    error = compile_error(sandbox, HEAD + "\n{% if city %}{{ city | monye }}{% endif %}")

    assert error.line == 6
    assert error.message.startswith("no filter named 'monye'")


def test_filters_passed_to_the_sandbox_can_be_used():
    sandbox = Sandbox(filters={"shout": lambda text: f"{text}!"})

    rendered = sandbox.compile("winback", HEAD + "{{ city | shout }}", known=KNOWN).render({"city": "Lyon"})

    assert rendered.html == "Lyon!"


def test_an_include_is_refused_with_its_line(sandbox):
    error = compile_error(sandbox, HEAD + "<p>Hi</p>\n{% include 'footer.html' %}")

    assert (error.line, error.message) == (6, "templates cannot include other files")


def test_each_branch_has_an_id_a_line_and_a_label_from_its_tag(sandbox):
    body = "<p>\n{% if lifecycle == 'lapsed' %}\nCome back\n"
    body += "{% elif lifecycle == 'new' %}\nWelcome\n{% else %}\nHello\n{% endif %}"

    template = sandbox.compile("winback", HEAD + body, known=KNOWN)

    assert [(b.id, b.line, b.label) for b in template.branches] == [
        ("L6", 6, "if lifecycle == 'lapsed' (line 6)"),
        ("L8", 8, "elif lifecycle == 'new' (line 8)"),
        ("L6.else", 10, "else of the if on line 6"),
    ]
    assert template.render({"lifecycle": "new"}).trace.branches == {"L8"}
    assert template.render({"lifecycle": "active"}).trace.branches == {"L6.else"}


def test_branches_of_the_subject_and_of_nested_ifs_are_recorded(sandbox):
    head = '---\nsubject: "{% if first_name %}{{ first_name }}, {% endif %}new shoes"\n---\n'
    body = "{% for item in recommendations %}{% if item.category == 'running' %}Run{% endif %}"
    body += "{% else %}none{% endfor %}"

    template = sandbox.compile("winback", head + body, known=KNOWN)
    rendered = template.render({"first_name": "Ada", "recommendations": [{"category": "running"}]})

    assert [b.label for b in template.branches] == [
        "if first_name (line 2, in the subject)",
        "if first_name: not taken (line 2, in the subject)",
        "if item.category == 'running' (line 4)",
        "if item.category == 'running': not taken (line 4)",
    ]
    assert rendered.trace.branches == {"L2", "L4"}
    assert rendered.subject == "Ada, new shoes"
    # an if without an else is two cases: the email with the block, and the one without it
    without = template.render({"recommendations": [{"category": "yoga"}]})
    assert without.trace.branches == {"L2.else", "L4.else"}


def test_a_branch_cannot_be_forged_by_the_template(sandbox):
    error = compile_error(sandbox, HEAD + "{{ __tailor_branch('L1') }}")

    assert "start with '__'" in error.message


def test_default_falls_back_for_undefined_none_and_empty_and_says_so(sandbox):
    body = "{{ first_name | default('there') }}/{{ city | d('your city') }}"
    body += "/{{ last_name | default('friend') }}"
    template = sandbox.compile("winback", HEAD + body, known=KNOWN)

    rendered = template.render({"city": None, "last_name": ""})

    assert rendered.html == "there/your city/friend"
    assert rendered.trace.fallbacks == {"first_name": "there", "city": "your city", "last_name": "friend"}
    assert rendered.trace.missing == {"city"}  # the preheader printed it without a default


def test_a_variable_printed_without_a_default_is_missing(sandbox):
    body = "Hi {{ first_name }}, {{ last_purchase.category }}"
    template = sandbox.compile("winback", HEAD + body, known=KNOWN)

    rendered = template.render({"city": "Lyon"})

    assert rendered.html == "Hi , "
    assert rendered.trace.missing == {"first_name", "last_purchase.category"}


def test_an_attribute_of_a_missing_variable_is_missing_not_an_error(sandbox):
    body = "{{ last_purchase.category.name | default('gear') }} {% if last_purchase.product %}x{% endif %}"
    template = sandbox.compile("winback", HEAD + body, known=KNOWN)

    rendered = template.render({})

    assert rendered.html == "gear "
    assert rendered.trace.fallbacks == {"first_name": "there", "last_purchase.category.name": "gear"}


def test_a_present_value_is_neither_missing_nor_a_fallback(sandbox):
    body = "{{ last_purchase.category | default('gear') }}"
    rendered = sandbox.compile("winback", HEAD + body, known=KNOWN).render(
        {"first_name": "Ada", "city": "Lyon", "last_purchase": {"category": "running"}}
    )

    assert rendered.html == "running"
    assert (rendered.trace.fallbacks, rendered.trace.missing) == ({}, set())


def test_a_failure_at_render_time_has_its_line(sandbox):
    template = sandbox.compile("winback", HEAD + "<p>\n</p>\n{{ 10 / (city | length) }}", known=KNOWN)

    with pytest.raises(RenderError) as caught:
        template.render({"city": ""})

    assert str(caught.value) == "winback, line 7: division by zero"


def test_a_render_that_runs_too_long_is_cut():
    sandbox = Sandbox(limits=Limits(seconds=0.01, iterations=10**9))
    body = "{% for a in range(10000) %}{% for b in range(10000) %}{{ b.real }}{% endfor %}{% endfor %}"

    with pytest.raises(RenderError, match=r"ran longer than 0\.01 s"):
        sandbox.compile("winback", HEAD + body, known=KNOWN).render({})


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("{{ last_purchase.prodcut }}", "unknown field 'prodcut' (did you mean 'product'?)"),
        ("{{ campaign.nmae }}", "unknown field 'nmae' (did you mean 'name'?) (it has name)"),
        ("{% for item in recommendations %}{{ item.prodcut }}{% endfor %}", "(did you mean 'product'?)"),
        ("{{ recommendations[0].categroy }}", "unknown field 'categroy' (did you mean 'category'?)"),
    ],
)
def test_a_misspelt_field_of_the_context_is_found_at_import(sandbox, body: str, said: str) -> None:
    error = compile_error(sandbox, HEAD + body)
    assert said in error.message and error.line == HEAD.count("\n") + 1


def test_the_fields_of_the_context_and_a_templates_own_names_compile(sandbox) -> None:
    body = "{{ last_purchase.product }} {{ last_purchase.get('at') }} {{ first_name }}"
    body += "{% set campaign = {'title': 'x'} %}{{ campaign.title }}"
    sandbox.compile("winback", HEAD + body, known=KNOWN)
