"""From a template and a segment, the email each member would receive.

    variables   the names a template may use, the one list import checks against
    templates   the sandboxed Jinja2 environment, compile errors with their line, renders and traces
    front_matter  a template file's subject and preheader block
    limits      the hardened environment: what a hostile template cannot reach or spend
    library     template versions in the store: import a directory, list, load
    filters     money and dates in the recipient's language (Babel), `default`
    context     each recipient's variables, loaded in batches
    message     a rendered email as an `email.message.EmailMessage`: CSS inlined, a text part
    samples     the few members who together show what can go wrong
    check       the whole segment rendered once: fallbacks, long subjects, failures
    preview     the service the command line, the console and Slack call
    cli         the `templates import` and `templates list` commands' output

It knows nothing of Slack or SMTP: it takes a store, a definition and a template and returns models.
"""
