"""Sending approved campaigns: the scheduler (one per store, by lease), the send ledger, the
dispatch of each recipient's message and the transports that hand messages to a mail server.

It knows nothing of how a segment is parsed or a template rendered: it asks `segments` for the
recipients of a definition and `personalization` for their messages.
"""
