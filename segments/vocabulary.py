"""The words Tailor knows before it sees any data: segment-semantics.md as word lists.

Each table maps the key of a word (normalize.key: lower case, no plural ending) to what it
means. The store adds its own values and event types through the lexicon; these are the
marketer's vocabulary that holds in every workspace.
"""

from __future__ import annotations

from typing import Literal

from segments.currencies import CURRENCY_WORDS, PLAIN_MONEY
from segments.definition import Unit
from segments.normalize import key

#: Nouns for "the contacts". `customer`-like heads mean "has purchased" unless the phrase
#: says something of its own about purchases.
HEADS = {
    "contact": "contact", "people": "contact", "person": "contact", "user": "contact",
    "everyone": "contact", "everybody": "contact", "anyone": "contact", "anybody": "contact",
    "subscriber": "contact", "lead": "lead", "member": "contact", "recipient": "contact",
    "audience": "contact", "folk": "contact", "profile": "contact", "individual": "contact",
    "customer": "customer", "buyer": "customer", "purchaser": "customer", "shopper": "customer",
    "client": "customer", "company": "company", "business": "company", "organization": "company",
    "speaker": "speaker", "man": "male", "men": "male", "male": "male", "guy": "male",
    "woman": "female", "women": "female", "female": "female", "lady": "female", "ladies": "female",
    "fan": "fan", "lover": "fan", "enthusiast": "fan", "spender": "customer", "buff": "fan", "fanatic": "fan",
    "aficionado": "fan", "junkie": "fan", "candidate": "contact",
    "firm": "company", "org": "company", "organisation": "company", "account": "contact",
    "prospect": "contact", "owner": "contact", "gal": "female",
    # people named by what they did: "openers", "clickers" (the store's event verbs add more: "attendees")
    "opener": "event:email_opened", "clicker": "event:email_clicked", "complainer": "event:email_complained",
    "unsubscriber": "event:email_unsubscribed", "abandoner": "event:cart_abandoned",
}  # fmt: skip

#: Verbs (every form a marketer types) and the event type they name. `None`: a light verb
#: ("made a purchase", "opened a support ticket") whose object names the event.
VERBS = {
    "buy": "purchase", "bought": "purchase", "buying": "purchase", "purchase": "purchase",
    "purchased": "purchase", "purchasing": "purchase", "order": "purchase", "ordered": "purchase",
    "ordering": "purchase", "shop": "purchase", "shopped": "purchase", "shopping": "purchase",
    "convert": "purchase", "converted": "purchase",
    "open": "email_opened", "opened": "email_opened", "opening": "email_opened", "read": "email_opened",
    "click": "email_clicked", "clicked": "email_clicked", "clicking": "email_clicked",
    "receive": "email_sent", "received": "email_sent", "receiving": "email_sent", "sent": "email_sent",
    "emailed": "email_sent", "mailed": "email_sent",
    "bounce": "email_bounced", "bounced": "email_bounced",
    "unsubscribe": "email_unsubscribed",
    "complain": "email_complained", "complained": "email_complained",
    "abandon": "cart_abandoned", "abandoned": "cart_abandoned", "abandoning": "cart_abandoned",
    "view": "product_viewed", "viewed": "product_viewed", "viewing": "product_viewed",
    "browse": "product_viewed", "browsed": "product_viewed", "browsing": "product_viewed",
    "visit": "product_viewed", "visited": "product_viewed", "look": "product_viewed",
    "looked": "product_viewed",
    # opened or clicked: "who haven't engaged in 60 days" (segment-semantics.md, "inactive")
    "engage": "engagement", "engaged": "engagement", "engaging": "engagement", "interact": "engagement",
    "interacted": "engagement", "interacting": "engagement",
    "make": None, "made": None, "place": None, "placed": None, "have": None, "had": None, "file": None,
    "filed": None, "submit": None, "submitted": None, "raise": None, "raised": None, "create": None,
    "created": None, "log": None, "logged": None, "get": None, "got": None, "do": None, "did": None,
    "leave": None, "left": None,
}  # fmt: skip
#: Verbs of one's own attributes rather than events.
SIGNUP_VERBS = {"sign", "signed", "signing", "signup", "join", "joined", "register", "registered"}
ORIGIN_VERBS = {"come", "came", "coming", "arrive", "arrived", "acquire", "acquired", "source", "sourced"}
SPEND_VERBS = {"spend", "spent", "spending", "pay", "paid"}

#: Nouns in an event's object, and the event they point to (`None`: any event, no filter).
EVENT_NOUNS = {
    "email": "email", "mail": "email", "newsletter": "email", "message": "email", "campaign": "email",
    "mailing": "email", "send": "email",
    "purchase": "purchase", "order": "purchase", "sale": "purchase", "transaction": "purchase",
    "cart": "cart_abandoned", "basket": "cart_abandoned", "checkout": "cart_abandoned",
    # Words for any product at all; a kind of product ("shoes", "apparel") is a value of the data or
    # nothing: read as any product, "bought shoes" would be every buyer.
    "product": "product", "item": "product", "gear": "product", "equipment": "product", "stuff": "product",
    "thing": "product", "good": "product", "kit": "product", "merchandise": "product", "merch": "product",
    "supply": "product",
    "spam": "email_complained", "abandonment": "cart_abandoned", "link": "email",
    "open": "email_opened", "click": "email_clicked", "bounce": "email_bounced",
    "complaint": "email_complained",
    "unsubscribe": "email_unsubscribed", "visit": "product_viewed", "view": "product_viewed",
    "anything": None, "something": None, "any": None, "nothing": None,
}  # fmt: skip

#: Lifecycle presets (segment-semantics.md, "Built-in segments"), by the phrase that names them.
PRESETS = {
    "new": "new", "newly signed": "new", "recent signup": "new", "lapsed": "lapsed", "churned": "lapsed",
    "active": "active", "high value": "high_value", "highvalue": "high_value", "best": "high_value",
    "top spending": "high_value", "big spender": "high_value", "biggest spender": "high_value",
    "passive": "passive", "inactive": "inactive", "dormant": "inactive", "unengaged": "inactive",
    "disengaged": "inactive", "engaged": "engaged", "highly engaged": "engaged", "high engagement": "engaged",
    "very engaged": "engaged", "most engaged": "engaged", "cart abandoner": "cart_abandoners", "vip": "vip",
    "vips": "vip", "browser": "browsers", "window shopper": "browsers",
    "most valuable": "high_value", "valuable": "high_value", "top customer": "high_value",
    "top buyer": "high_value", "top spender": "high_value", "high spender": "high_value",
    "newly subscribed": "new", "newly joined": "new", "newly registered": "new", "non engaged": "inactive",
    # buyers by their number of orders (assembler.ORDER_COUNTS)
    "repeat": "repeat", "returning": "repeat", "one time": "one_time", "single purchase": "one_time",
    "loyal": "repeat", "first time": "first_time", "win back": "lapsed", "winback": "lapsed",
    # deliverability (segment-semantics.md, Consent)
    "reachable": "reachable", "mailable": "reachable", "emailable": "reachable", "contactable": "reachable",
    "suppressed": "suppressed",
}  # fmt: skip
#: Words Tailor knows but cannot read in this data, and what to say instead of guessing.
UNREADABLE = {
    "hard": "the data does not tell hard bounces from soft ones: say 'bounced' (any bounce), "
            "'bounced at least twice', or 'suppressed' (complained, or bounced on two or more sends)",
    "soft": "the data does not tell soft bounces from hard ones: say 'bounced' (any bounce), "
            "or 'bounced at least twice'",
}  # fmt: skip
#: Kinds of product people name that a store knows only as its own categories and products: where
#: the data names none so, the word is neither any product nor a typo of another word.
PRODUCT_KINDS = ("shoes", "sneakers", "apparel", "clothing", "clothes", "accessories", "wear", "footwear")
UNREADABLE |= {
    key(kind): "your data has no category or product of that name: say one of its categories or products"
    for kind in PRODUCT_KINDS
}

UNITS: dict[str, Unit | Literal["quarter"]] = {
    "hour": "hour", "hr": "hour", "day": "day", "week": "week", "wk": "week", "month": "month",
    "mo": "month", "year": "year", "yr": "year", "quarter": "quarter",
}  # fmt: skip
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
#: Money words after an amount: "whatever the event's currency" (segment-semantics.md, Values).
MONEY = set(CURRENCY_WORDS) | PLAIN_MONEY

#: Consent words that the data may not spell.
CONSENT = {"subscribed": "subscribed", "opted in": "subscribed", "optin": "subscribed",
"opt in": "subscribed",
           "unsubscribed": "unsubscribed", "opted out": "unsubscribed", "optout": "unsubscribed",
           "pending": "pending", "unconfirmed": "pending", "pending confirmation": "pending",
           "awaiting confirmation": "pending", "not confirmed": "pending"}  # fmt: skip

#: Openings and closings that ask for a segment without describing it.
#: (Stripped as often as they come: "I need a list of ...".)
LEADS = [
    "how many", "show me", "show", "find me", "find", "list", "list all", "give me", "get me", "count",
    "i want", "i need", "select", "segment of", "segment", "please", "can you find", "who are", "what about",
    "number of", "the number of", "count of", "the count of", "total number of", "what is the number of",
    "what is the count of", "how many of our", "how many of the", "how many of", "find all", "show all",
    "show me all", "list of", "give me all", "get all", "pull", "pull up", "i want to see", "i would like",
    "can you show me", "can you give me", "can i get", "build a segment of", "create a segment of",
    "create a segment with", "segment with", "audience of", "i am looking for", "looking for", "target",
    "all of our", "all of the", "who is", "what is", "a list of", "the list of", "a segment of", "all",
]  # fmt: skip
TRAILS = [
    "are there", "do we have", "are in the list", "please", "in the database", "in our list", "in total",
    "right now", "do i have", "we have", "are there in total", "in our database", "in the system",
    "in our crm", "overall", "exist", "at the moment",
]  # fmt: skip

#: Country adjectives, which CLDR does not list ("German contacts", "Brazilian customers").
DEMONYMS = {
    "american": "US",
    "british": "GB",
    "english": "GB",
    "german": "DE",
    "french": "FR",
    "spanish": "ES",
    "italian": "IT",
    "portuguese": "PT",
    "brazilian": "BR",
    "mexican": "MX",
    "canadian": "CA",
    "indian": "IN",
    "chinese": "CN",
    "japanese": "JP",
    "korean": "KR",
    "australian": "AU",
    "dutch": "NL",
    "belgian": "BE",
    "swiss": "CH",
    "austrian": "AT",
    "swedish": "SE",
    "norwegian": "NO",
    "danish": "DK",
    "finnish": "FI",
    "polish": "PL",
    "irish": "IE",
    "russian": "RU",
    "turkish": "TR",
    "argentinian": "AR",
    "argentine": "AR",
    "chilean": "CL",
    "colombian": "CO",
    "south african": "ZA",
    "nigerian": "NG",
    "kenyan": "KE",
    "egyptian": "EG",
    "israeli": "IL",
    "singaporean": "SG",
    "indonesian": "ID",
    "filipino": "PH",
    "vietnamese": "VN",
    "thai": "TH",
    "greek": "GR",
    "czech": "CZ",
    "hungarian": "HU",
    "romanian": "RO",
    "ukrainian": "UA",
    "new zealander": "NZ",
    "emirati": "AE",
    "saudi": "SA",
    "pakistani": "PK",
}
