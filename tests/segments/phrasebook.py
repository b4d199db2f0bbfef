"""Tailor's own phrasebook: marketers' wordings of every row of segment-semantics.md, with the
reference SQL of each reading the spec accepts.

The same format as `../shared/eval/dev_corpus.py` (`entries(as_of)`; SQL from `reference_sql`, the
project's own helpers), so that `PYTHONPATH=. parse_eval.py --corpus tests/segments/phrasebook.py`
scores it, and `test_phrasebook.py` checks it in-process. The values are the vocabulary of
`../shared/eval/gen_dataset.py`; the phrasings are written as a marketer types them (synonyms,
other word orders, plurals, casual openings), not copied from the dev corpus.
"""

from datetime import timedelta

from tests.reference_money import dollars_now
from tests.segments.reference_sql import (
    Clock,
    agg_amount,
    campaign_named,
    count_ev,
    ev,
    ev_on,
    interest,
    last_n_sends_opened,
    no,
    q,
    sql,
    top_spenders,
)


def any_of(*conds):
    return "(" + " or ".join(f"({c})" for c in conds) + ")"


def signed(start=None, end=None, after=None):
    """signed_up_at in [start, end), or after `after` (exclusive, for "the last N days")."""
    terms = []
    if after:
        terms.append(f"c.signed_up_at > {q(after)}")
    if start:
        terms.append(f"c.signed_up_at >= {q(start)}")
    if end:
        terms.append(f"c.signed_up_at < {q(end)}")
    return " and ".join(terms)


def top_by_order_value(share_percent):
    """The first ceil(p% x purchasers) purchasers by average order value, highest first."""
    return (
        "c.id in (select contact_id from (select contact_id, row_number() over (order by v desc, "
        "contact_id) place, count(*) over () n from (select contact_id, avg(amount) v from events "
        f"where type = 'purchase' group by contact_id)) where (place - 1) * 100 < n * {share_percent})"
    )


def vip(share_percent=5):
    """RFM: recency, frequency and monetary quintiles (ties by contact), summed; the top p% of purchasers."""
    return (
        "c.id in (select contact_id from (select contact_id, row_number() over (order by score desc, "
        "monetary desc, contact_id) place, count(*) over () n from (select contact_id, monetary, "
        "ntile(5) over (order by latest, contact_id) + ntile(5) over (order by orders, contact_id) + "
        "ntile(5) over (order by monetary, contact_id) score from (select contact_id, "
        "max(occurred_at) latest, count(*) orders, sum(amount) monetary from events "
        "where type = 'purchase' group by contact_id))) "
        f"where (place - 1) * 100 < n * {share_percent})"
    )


def spend_on(category, op, n):
    return (
        "(select sum(e.amount) from events e where e.contact_id = c.id and e.type = 'purchase' and "
        f"e.category = {q(category)}) {op} {n}"
    )


def avg_between(start, end, op, n):
    return (
        "(select avg(e.amount) from events e where e.contact_id = c.id and e.type = 'purchase' and "
        f"e.occurred_at >= {q(start)} and e.occurred_at < {q(end)}) {op} {n}"
    )


def no_purchase_after_latest(kind):
    return (
        "not exists (select 1 from events p where p.contact_id = c.id and p.type = 'purchase' and "
        "p.occurred_at > (select max(occurred_at) from events a where a.contact_id = c.id and "
        f"a.type = {q(kind)}))"
    )


def entries(as_of):
    k = Clock(as_of)
    d = lambda n: k.ago(days=n)  # noqa: E731
    today = k.now.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = k.iso(today + timedelta(days=1))
    yesterday = k.iso(today - timedelta(days=1))
    monday = today - timedelta(days=today.weekday())
    this_week, last_week = k.iso(monday), k.iso(monday - timedelta(weeks=1))
    this_month = k.iso(today.replace(day=1))
    this_year = k.iso(today.replace(month=1, day=1))
    last_year = k.iso(today.replace(year=today.year - 1, month=1, day=1))
    last_month = k.month(*((today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)))

    def recent_month(m):
        """The most recent month `m` that has begun on or before as_of."""
        return k.month(today.year if m <= today.month else today.year - 1, m)

    def purchased_in(category):
        return ev("purchase", where=f"e.category = {q(category)}")

    def fan(tag, category=None):
        """Interest X, or (also accepted) a purchase in category X."""
        return [sql(interest(tag)), sql(purchased_in(category or tag))]

    bought = ev("purchase")

    def quarter(n):
        """The most recent quarter `n` begun by `as_of`: [start, end) as ISO times."""
        year = today.year if 3 * n - 2 <= today.month else today.year - 1
        start = today.replace(year=year, month=3 * n - 2, day=1)
        end = start.replace(year=year + (n == 4), month=1 if n == 4 else 3 * n + 1)
        return k.iso(start), k.iso(end)

    def day(month, dom):
        """The start of the most recent `month`/`dom` on or before `as_of`."""
        start = today.replace(month=month, day=dom)
        return k.iso(start if start <= today else start.replace(year=start.year - 1))

    opened_or_clicked = any_of(ev("email_opened"), ev("email_clicked"))
    lapsed = [bought, no(ev("purchase", since=d(90)))]
    inactive = [no(ev("email_opened", since=d(60))), no(ev("email_clicked", since=d(60)))]
    engaged = count_ev("email_opened", ">=", 3, d(90))
    cart_abandoners = [ev("cart_abandoned", since=d(7)), no_purchase_after_latest("cart_abandoned")]
    browsers = [ev("product_viewed", since=d(30)), no(ev("purchase", since=d(30)))]
    E = []

    def add(text, *accept):
        E.append({"id": f"P{len(E) + 1}", "text": text, "accept": list(accept)})

    # -- time ---------------------------------------------------------------------------------
    add("people who clicked an email in the past 48 hours", sql(ev("email_clicked", since=k.ago(hours=48))))
    add("shoppers who placed an order within the last 2 weeks", sql(ev("purchase", since=d(14))))
    add(
        "contacts that made a purchase over the last three months",
        sql(ev("purchase", since=k.months_back(3))),
    )
    add("subscribers who opened an email in the past 10 days", sql(ev("email_opened", since=d(10))))
    add("contacts who haven't clicked in 30 or more days", sql(no(ev("email_clicked", since=d(30)))))
    add("subscribers with no opens in 21+ days", sql(no(ev("email_opened", since=d(21)))))
    add("people who viewed a product today", sql(ev_on("product_viewed", k.iso(today), tomorrow)))
    add("anyone who abandoned their cart yesterday", sql(ev_on("cart_abandoned", yesterday, k.iso(today))))
    add("customers who bought this week", sql(ev_on("purchase", this_week, tomorrow)))
    add("people who signed up this month", sql(signed(start=this_month)))
    add("contacts who joined this year", sql(signed(start=this_year)))
    add("people who clicked an email last week", sql(ev_on("email_clicked", last_week, this_week)))
    add(
        "who made a purchase last month?",
        sql(ev_on("purchase", *last_month)),
        sql(ev("purchase", since=d(30))),
    )
    add("customers who ordered last year", sql(ev_on("purchase", last_year, this_year)))
    add("people who purchased in December", sql(ev_on("purchase", *recent_month(12))))
    add("contacts who signed up in April", sql(signed(*recent_month(4))))
    add(
        "customers who ordered between February and April 2026",
        sql(ev_on("purchase", k.month(2026, 2)[0], k.month(2026, 4)[1])),
    )
    add(
        "people who signed up from October to December 2025",
        sql(signed(k.month(2025, 10)[0], k.month(2025, 12)[1])),
    )
    add(
        "contacts who abandoned a cart and haven't purchased since",
        sql(ev("cart_abandoned"), no_purchase_after_latest("cart_abandoned")),
    )
    add(
        "customers who haven't bought in over 6 months",
        sql(bought, no(ev("purchase", since=k.months_back(6)))),
    )
    add("people who haven't ordered in the last 6 months", sql(no(ev("purchase", since=k.months_back(6)))))
    add(
        "contacts who haven't opened an email in two months",
        sql(no(ev("email_opened", since=k.months_back(2)))),
    )
    add("people who clicked an email during May", sql(ev_on("email_clicked", *recent_month(5))))
    add("contacts who signed up before January 2026", sql(signed(end=k.month(2026, 1)[0])))
    add("people who bought something since March", sql(ev_on("purchase", recent_month(3)[0], tomorrow)))
    add("users who joined in 2025", sql(signed(k.month(2025, 1)[0], k.month(2026, 1)[0])))
    add("people who viewed products in the last 24 hours", sql(ev("product_viewed", since=k.ago(hours=24))))
    add(
        "subscribers who opened an email more than a year ago",
        sql(ev("email_opened", until=d(365))),
        sql(ev("email_opened", until=k.months_back(12))),
    )
    add("contacts who signed up over 2 years ago", sql(f"c.signed_up_at < {q(k.months_back(24))}"))
    add("people who purchased 3 weeks ago or earlier", sql(ev("purchase", until=d(21))))
    add("buyers from the past month", sql(ev("purchase", since=k.months_back(1))))
    add("people with a purchase in the last 2 weeks", sql(ev("purchase", since=d(14))))
    add(
        "Instagram signups from 2025",
        sql("c.signup_source = 'instagram'", signed(k.month(2025, 1)[0], this_year)),
    )
    add("people who joined before 2025", sql(signed(end=k.month(2025, 1)[0])))
    add(
        "people who bought in the last 30 days but not in the last week",
        sql(ev("purchase", since=d(30)), no(ev("purchase", since=d(7)))),
    )
    add(
        "people who opened emails in May but not in June",
        sql(ev_on("email_opened", *recent_month(5)), no(ev_on("email_opened", *recent_month(6)))),
    )
    add(
        "customers who haven't bought since March",
        sql(bought, no(ev_on("purchase", recent_month(3)[0], tomorrow))),
    )
    add("people who last purchased over 90 days ago", sql(bought, no(ev("purchase", since=d(90)))))
    add(
        "customers whose last order was more than 3 months ago",
        sql(bought, no(ev("purchase", since=k.months_back(3)))),
    )
    add(
        "shoppers who bought in March and April",
        sql(ev_on("purchase", recent_month(3)[0], recent_month(4)[1])),
    )
    add("people who bought between 2026-03-01 and 2026-03-31", sql(ev_on("purchase", *k.month(2026, 3))))
    add("people who bought until 2026-03-31", sql(ev("purchase", until=k.month(2026, 4)[0])))
    add("contacts who joined less than 30 days ago", sql(signed(after=d(30))))
    add(
        "people who haven't purchased since their last abandoned cart",
        sql(ev("cart_abandoned"), no_purchase_after_latest("cart_abandoned")),
    )
    add(
        "contacts with no purchases since abandoning their cart",
        sql(ev("cart_abandoned"), no_purchase_after_latest("cart_abandoned")),
    )
    add(
        "customers who haven't bought since their latest visit",
        sql(bought, ev("product_viewed"), no_purchase_after_latest("product_viewed")),
    )
    add(
        "women who last purchased over 90 days ago on mobile",
        sql("c.gender = 'female'", bought, no(ev("purchase", since=d(90))), "c.device = 'mobile'"),
    )

    # -- who ----------------------------------------------------------------------------------
    add("all subscribers in Canada", sql("c.country = 'Canada'"))
    add("everyone in Chicago", sql("c.city = 'Chicago'"))
    add("how many users do we have in Brazil", sql("c.country = 'Brazil'"))
    add("leads from India", sql("c.country = 'India'"))
    add("buyers in Mumbai", sql(bought, "c.city = 'Mumbai'"))
    add("purchasers from Spain", sql(bought, "c.country = 'Spain'"))
    add("shoppers based in Austin", sql(bought, "c.city = 'Austin'"))
    add("Instagram leads in France", sql("c.signup_source = 'instagram'", "c.country = 'France'"))
    add("referral leads", sql("c.signup_source = 'referral'"))
    add("contacts who came through a referral", sql("c.signup_source = 'referral'"))
    add("people who signed up via the website", sql("c.signup_source = 'website'"))
    add("contacts that joined from Google", sql("c.signup_source = 'google'"))
    add("people acquired through Facebook", sql("c.signup_source = 'facebook'"))
    add("cyclists", *fan("cycling"))
    add("yoga fans in Delhi", *[s + " and (c.city = 'Delhi')" for s in fan("yoga")])
    add("travel lovers", *fan("travel"))
    add("golf enthusiasts in the US", *[s + " and (c.country = 'United States')" for s in fan("golf")])
    add("runners who live in Manchester", *[s + " and (c.city = 'Manchester')" for s in fan("running")])
    add("German speakers", sql("c.language = 'de'"))
    add("Portuguese speakers in Brazil", sql("c.language = 'pt'", "c.country = 'Brazil'"))
    add("Hindi speakers", sql("c.language = 'hi'"))
    add("people who speak English", sql("c.language = 'en'"))
    add("product managers", sql("c.job_title like '%Product Manager%'"))
    add("founders in London", sql("c.job_title like '%Founder%'", "c.city = 'London'"))
    add("analysts in finance", sql("c.job_title like '%Analyst%'", "c.industry = 'finance'"))
    add("CEOs at retail companies", sql("c.job_title like '%CEO%'", "c.industry = 'retail'"))
    add(
        "marketing managers in Germany",
        sql("c.job_title like '%Marketing Manager%'", "c.country = 'Germany'"),
    )
    add("sales managers", sql("c.job_title like '%Sales Manager%'"))
    add("managers in Paris", sql("c.job_title like '%Manager%'", "c.city = 'Paris'"))
    add("retail companies", sql("c.industry = 'retail'"))
    add("companies in media", sql("c.industry = 'media'"))
    add(
        "healthcare businesses with over 1000 employees",
        sql("c.industry = 'healthcare'", "c.company_size > 1000"),
    )
    add("companies with fewer than 10 employees", sql("c.company_size < 10"))
    add("businesses with 50 to 200 employees", sql("c.company_size between 50 and 200"))
    add("contacts at companies with at least 500 employees", sql("c.company_size >= 500"))
    add("women aged 25 to 34", sql("c.gender = 'female'", "c.age between 25 and 34"))
    add("contacts between 18 and 24 years old", sql("c.age between 18 and 24"))
    add("people over 60", sql("c.age > 60"))
    add("contacts under 30", sql("c.age < 30"))
    add("men in their 40s", sql("c.gender = 'male'", "c.age between 40 and 49"))
    add("contacts with no city", sql("coalesce(c.city, '') = ''"))
    add("people without a job title", sql("coalesce(c.job_title, '') = ''"))
    add("contacts missing a company size", sql("c.company_size is null"))
    add("number of contacts in Lyon", sql("c.city = 'Lyon'"))
    add("saas firms with 200+ employees", sql("c.industry = 'saas'", "c.company_size >= 200"))
    add("contacts at companies larger than 500 employees", sql("c.company_size > 500"))
    add("contacts whose company size is above 1000", sql("c.company_size > 1000"))
    add("retail companies with more than 100 people", sql("c.industry = 'retail'", "c.company_size > 100"))
    add("companies with 1000+ employees", sql("c.company_size >= 1000"))
    add(
        "women between 30 and 40 in London",
        sql("c.gender = 'female'", "c.age between 30 and 40", "c.city = 'London'"),
    )
    add("males 25-35", sql("c.gender = 'male'", "c.age between 25 and 35"))
    add("contacts aged 30 or older", sql("c.age >= 30"))
    add("people 65 and older", sql("c.age >= 65"))
    add("men over 50 who play golf", *[s + " and (c.gender = 'male') and (c.age > 50)" for s in fan("golf")])
    add("loyalty tier gold", sql("c.loyalty_tier = 'gold'"))
    add("Spanish-speaking contacts", sql("c.language = 'es'"))
    add("contacts whose language is German", sql("c.language = 'de'"))
    add("contacts in the finance industry", sql("c.industry = 'finance'"))
    add("people who work in education", sql("c.industry = 'education'"))
    add("contacts whose job title contains Manager", sql("c.job_title like '%Manager%'"))
    add("fitness buffs in Berlin", *[s + " and (c.city = 'Berlin')" for s in fan("fitness")])
    add("people interested in golf and running", sql(interest("golf"), interest("running")))
    add("people who love the outdoors", sql(interest("outdoor")))
    add("contacts tagged cycling", sql(interest("cycling")))
    add("contacts with no interests", sql("coalesce(c.interests, '') = ''"))
    add("contacts who are not subscribed", sql("coalesce(c.email_consent, '') <> 'subscribed'"))
    add("newsletter subscribers in Germany", sql("c.country = 'Germany'"))
    add("contacts not in Germany or France", sql("coalesce(c.country, '') not in ('Germany', 'France')"))
    add(
        "Instagram leads with no interests",
        sql("c.signup_source = 'instagram'", "coalesce(c.interests, '') = ''"),
    )
    add("customers outside the US", sql(bought, "coalesce(c.country, '') <> 'United States'"))
    add("contacts in Berlin who are not customers", sql("c.city = 'Berlin'", no(bought)))
    add("people who don't speak English", sql("coalesce(c.language, '') <> 'en'"))
    add("people interested in both golf and yoga", sql(interest("golf"), interest("yoga")))
    add("companies employing more than 200 people", sql("c.company_size > 200"))

    # -- lifecycle presets --------------------------------------------------------------------
    add("new signups", sql(signed(after=d(30))))
    add("new subscribers in London", sql(signed(after=d(30)), "c.city = 'London'"))
    add("new subscribers in their first 10 days", sql(signed(after=d(10))))
    add("active customers", sql(ev("purchase", since=d(60))))
    add("active shoppers in India", sql(ev("purchase", since=d(60)), "c.country = 'India'"))
    add("lapsed buyers in the UK", sql(*lapsed, "c.country = 'United Kingdom'"))
    add("churned customers", sql(*lapsed))
    add("lapsed customers who bought yoga gear", sql(*lapsed, purchased_in("yoga")))
    add("high-value customers", sql(top_spenders(0.20)))
    add("high value shoppers in New York", sql(top_spenders(0.20), "c.city = 'New York'"))
    add("top 5% of buyers by spend", sql(top_spenders(0.05)))
    add("the top 2 percent of customers by lifetime spend", sql(top_spenders(0.02)))
    add("top 25% of customers by average order value", sql(top_by_order_value(25)))
    add("customers whose average order value is over 100 dollars", sql(agg_amount("avg", ">", 100)))
    add("buyers with an AOV above $150", sql(agg_amount("avg", ">", 150)))
    add("passive subscribers", sql(opened_or_clicked, no(bought)))
    add("passive subscribers in Spain", sql(opened_or_clicked, no(bought), "c.country = 'Spain'"))
    add("highly engaged subscribers", sql(engaged))
    add("highly engaged contacts in India", sql(engaged, "c.country = 'India'"))
    add("people with high engagement", sql(engaged))
    add("unengaged contacts in France", sql(*inactive, "c.country = 'France'"))
    add("dormant subscribers", sql(*inactive))
    add("contacts with no email opens in the last 60 days", sql(no(ev("email_opened", since=d(60)))))
    add("cart abandoners in Berlin", sql(*cart_abandoners, "c.city = 'Berlin'"))
    add("browsers who haven't purchased", sql(*browsers))
    add("VIP customers", sql(vip()))
    add("VIPs in Germany", sql(vip(), "c.country = 'Germany'"))
    add("subscribers who opened their last 3 emails", sql(last_n_sends_opened(3)))
    add("people who opened each of their last five emails", sql(last_n_sends_opened(5)))
    add("contacts who opened their most recent email", sql(last_n_sends_opened(1)))
    add("people who opened their 3 most recent emails", sql(last_n_sends_opened(3)))
    add("top 5% customers by revenue", sql(top_spenders(0.05)))
    add("top 10% by order value", sql(top_by_order_value(10)))
    add("most valuable customers", sql(top_spenders(0.20)))
    add("customers lapsed for over 120 days", sql(bought, no(ev("purchase", since=d(120)))))
    add(
        "contacts who haven't engaged in 45 days",
        sql(no(ev("email_opened", since=d(45))), no(ev("email_clicked", since=d(45)))),
    )
    add(
        "subscribers who haven't opened or clicked in 90 days",
        sql(no(ev("email_opened", since=d(90))), no(ev("email_clicked", since=d(90)))),
    )
    add("I need a list of lapsed customers in France", sql(*lapsed, "c.country = 'France'"))
    add("repeat customers", sql(count_ev("purchase", ">=", 2)))
    add("one-time buyers", sql(count_ev("purchase", "=", 1)))
    add("non-buyers in Canada", sql(no(bought), "c.country = 'Canada'"))
    # the opposite of "inactive subscribers" (an open or a click in 60 days), not "active buyers"
    add("active subscribers", sql(any_of(ev("email_opened", since=d(60)), ev("email_clicked", since=d(60)))))
    add("customers who bought twice or more", sql(count_ev("purchase", ">=", 2)))

    # -- values -------------------------------------------------------------------------------
    add("subscribers in SÃO PAULO", sql("c.city = 'São Paulo'"))
    add("contacts in bangalore", sql("c.city = 'Bangalore'"))
    add("people in the UK", sql("c.country = 'United Kingdom'"))
    add("customers in the United States", sql(bought, "c.country = 'United States'"))
    add("contacts in USA", sql("c.country = 'United States'"))
    add("people in Great Britain", sql("c.country = 'United Kingdom'"))
    add("customers who have spent over 500 USD", sql(agg_amount("sum", ">", 500)))
    add("customers who spent at least $1.5k", sql(agg_amount("sum", ">=", 1500)))
    add("people who spent more than 300 euros in total", sql(agg_amount("sum", ">", dollars_now(300, "EUR"))))
    add(
        "people who clicked the Black Friday email",
        sql(ev("email_clicked", where=campaign_named("Black Friday"))),
    )
    add(
        "contacts who opened the Summer Preview campaign",
        sql(ev("email_opened", where=campaign_named("Summer Preview"))),
    )
    add(
        "people who opened the June newsletter",
        sql(ev("email_opened", where=campaign_named("June Newsletter"))),
    )
    add(
        "people who got the Marathon Prep email but never opened it",
        sql(
            ev("email_sent", where=campaign_named("Marathon Prep")),
            no(ev("email_opened", where=campaign_named("Marathon Prep"))),
        ),
    )
    add(
        "contacts who received the Holiday Gift Guide",
        sql(ev("email_sent", where=campaign_named("Holiday Gift Guide"))),
    )
    add("customers with more than 3 orders", sql(count_ev("purchase", ">", 3)))
    add("contacts with fewer than 2 purchases", sql(count_ev("purchase", "<", 2)))
    add(
        "people who ordered at least twice in the last 6 months",
        sql(count_ev("purchase", ">=", 2, k.months_back(6))),
    )
    add(
        "contacts who opened more than 5 emails in the last 90 days",
        sql(count_ev("email_opened", ">", 5, d(90))),
    )
    add(
        "people who bought outdoor gear or cycling gear",
        sql(ev("purchase", where="e.category in ('outdoor', 'cycling')")),
    )
    add(
        "customers who bought running stuff and golf stuff",
        sql(purchased_in("running"), purchased_in("golf")),
    )
    add("people in Germany or France", sql("c.country in ('Germany', 'France')"))
    add("contacts not in London", sql("coalesce(c.city, '') <> 'London'"))
    add("customers with an AOV of less than 40", sql(agg_amount("avg", "<", 40)))
    add("customers who spent USD 500 or more", sql(agg_amount("sum", ">=", 500)))
    add(
        "who spent between 100 and 500 dollars",
        sql(agg_amount("sum", ">=", 100), agg_amount("sum", "<=", 500)),
    )
    add("people who spent more than $100 on golf", sql(spend_on("golf", ">", 100)))
    add("users who spent $200 on golf on mobile", sql(spend_on("golf", ">=", 200), "c.device = 'mobile'"))
    add("people who spent over $500 in Germany", sql(agg_amount("sum", ">", 500), "c.country = 'Germany'"))
    add(
        "golfers with an AOV above 80 in 2025",
        *[s + f" and ({avg_between(k.month(2025, 1)[0], this_year, '>', 80)})" for s in fan("golf")],
    )
    add("customers who placed an order over $200", sql(ev("purchase", where="e.amount > 200")))
    add("customers with over $500 in purchases", sql(agg_amount("sum", ">", 500)))
    add("customers who purchased on desktop", sql(bought, "c.device = 'desktop'"))
    add(
        "people who bought golf but not tablet users",
        sql(purchased_in("golf"), "coalesce(c.device, '') <> 'tablet'"),
    )
    add(
        "contacts who clicked on the Cycling Season email",
        sql(ev("email_clicked", where=campaign_named("Cycling Season"))),
    )
    add(
        "people who opened the newsletter in May",
        sql(ev_on("email_opened", *recent_month(5), where=campaign_named("Newsletter"))),
    )
    add("Black Friday openers", sql(ev("email_opened", where=campaign_named("Black Friday"))))
    add("golf buyers", sql(purchased_in("golf")))
    add("customers who bought golf and yoga products", sql(purchased_in("golf"), purchased_in("yoga")))
    add("people who purchased golf balls", sql(ev("purchase", where="e.product = 'Golf Balls (12)'")))
    add(
        "people who bought golf products in the last 30 days or yoga products in the last 60 days",
        sql(
            any_of(
                ev("purchase", since=d(30), where="e.category = 'golf'"),
                ev("purchase", since=d(60), where="e.category = 'yoga'"),
            )
        ),
    )

    # -- consent ------------------------------------------------------------------------------
    add("subscribed contacts in Paris", sql("c.email_consent = 'subscribed'", "c.city = 'Paris'"))
    add("opted-in users", sql("c.email_consent = 'subscribed'"))
    add("pending contacts", sql("c.email_consent = 'pending'"))
    add("unconfirmed subscribers", sql("c.email_consent = 'pending'"))
    add("opted out contacts in Germany", sql("c.email_consent = 'unsubscribed'", "c.country = 'Germany'"))
    add("people who unsubscribed", sql(ev("email_unsubscribed")), sql("c.email_consent = 'unsubscribed'"))
    add("people who complained", sql(ev("email_complained")))
    add(
        "people who unsubscribed from our emails",
        sql(ev("email_unsubscribed")),
        sql("c.email_consent = 'unsubscribed'"),
    )
    add("contacts who opted out of emails", sql("c.email_consent = 'unsubscribed'"))
    add("contacts who bounced", sql(ev("email_bounced")))

    # -- events and their properties ---------------------------------------------------------
    add(
        "people who attended a webinar about deliverability",
        sql(ev("webinar_attended", where="e.topic = 'deliverability'")),
    )
    add("contacts who attended the SMS webinar", sql(ev("webinar_attended", where="e.topic = 'sms'")))
    add("contacts who filed a support ticket this month", sql(ev_on("support_ticket", this_month, tomorrow)))
    add(
        "people who viewed golf products in the past week",
        sql(ev("product_viewed", since=d(7), where="e.category = 'golf'")),
    )
    add("people who abandoned carts in the last 3 days", sql(ev("cart_abandoned", since=d(3))))
    add("people who bought a Yoga Mat", sql(ev("purchase", where="e.product = 'Yoga Mat'")))
    add("customers who bought winter coats", sql(purchased_in("winter coats")))
    add("people who have never opened an email", sql(no(ev("email_opened"))))
    add("subscribers who never clicked", sql(no(ev("email_clicked"))))
    add("people who opened an email but didn't click", sql(ev("email_opened"), no(ev("email_clicked"))))
    add("people who browsed but didn't buy", sql(ev("product_viewed"), no(bought)), sql(*browsers))
    add("webinar attendees on segmentation", sql(ev("webinar_attended", where="e.topic = 'segmentation'")))
    add("automation webinar attendees", sql(ev("webinar_attended", where="e.topic = 'automation'")))
    add(
        "contacts who attended a webinar on sms or automation",
        sql(ev("webinar_attended", where="e.topic in ('sms', 'automation')")),
    )
    add("contacts with a support ticket in the past week", sql(ev("support_ticket", since=d(7))))
    add(
        "people who abandoned carts with golf products",
        sql(ev("cart_abandoned", where="e.category = 'golf'")),
    )
    add(
        "subscribers with at least 2 opens and no clicks",
        sql(count_ev("email_opened", ">=", 2), no(ev("email_clicked"))),
    )
    add("non-openers", sql(no(ev("email_opened"))))
    add(
        "subscribers who received an email but never opened one",
        sql(ev("email_sent"), no(ev("email_opened"))),
    )
    add(
        "people who got emails in the last month but didn't open any",
        sql(ev("email_sent", since=k.months_back(1)), no(ev("email_opened", since=k.months_back(1)))),
        sql(ev("email_sent", since=k.months_back(1)), no(ev("email_opened"))),
    )
    add(
        "people who looked at yoga products this week",
        sql(ev_on("product_viewed", this_week, tomorrow, where="e.category = 'yoga'")),
    )
    add("people who clicked a link in the last week", sql(ev("email_clicked", since=d(7))))
    add(
        "contacts with at least 3 product views in the last week",
        sql(count_ev("product_viewed", ">=", 3, d(7))),
    )

    # -- mixed --------------------------------------------------------------------------------
    add("gold tier members in Canada", sql("c.loyalty_tier = 'gold'", "c.country = 'Canada'"))
    add("platinum customers", sql("c.loyalty_tier = 'platinum'", bought))
    add(
        "bronze members who bought in the last 30 days",
        sql("c.loyalty_tier = 'bronze'", ev("purchase", since=d(30))),
    )
    add(
        "mobile users who abandoned a cart this week",
        sql("c.device = 'mobile'", ev_on("cart_abandoned", this_week, tomorrow)),
    )
    add("female shoppers in Madrid", sql("c.gender = 'female'", bought, "c.city = 'Madrid'"))
    add(
        "desktop users who purchased more than twice",
        sql("c.device = 'desktop'", count_ev("purchase", ">", 2)),
    )

    # -- as typed in chat: shorthand, typos, signs, calendar words (issue 17) ------------------
    suppressed = (
        "(exists (select 1 from events e where e.contact_id = c.id and e.type = 'email_complained') or "
        "(select count(*) from events e where e.contact_id = c.id and e.type = 'email_bounced') >= 2)"
    )
    add("custs in DE w/ 3+ orders", sql("c.country = 'Germany'", count_ev("purchase", ">=", 3)))
    add("ppl in berlin who didnt buy in 90d", sql("c.city = 'Berlin'", no(ev("purchase", since=d(90)))))
    add("subs w/o a purchase in 2 wks", sql(no(ev("purchase", since=d(14)))))
    add("custmers in germny", sql(bought, "c.country = 'Germany'"))
    add("ppl who opend the black friday emial", sql(ev("email_opened", where=campaign_named("Black Friday"))))
    add("custs who spent > $500", sql(agg_amount("sum", ">", 500)))
    add("custs w/ <= 2 orders", sql(bought, count_ev("purchase", "<=", 2)))  # buyers with one or two
    add("cx who ordered 3x in the last 6 mos", sql(count_ev("purchase", ">=", 3, since=k.months_back(6))))
    add("custs w/ only one order", sql(count_ev("purchase", "=", 1)))
    add("custs who only bought golf", sql(ev("purchase", where="e.category = 'golf'"),
        no(ev("purchase", where="e.category is null or e.category <> 'golf'"))))  # fmt: skip
    add(
        "mailable contacts in FR",
        sql("c.email_consent = 'subscribed'", no(suppressed), "c.country = 'France'"),
    )
    add("suppressed contacts", sql(suppressed))
    add("ppl who marked us as spam", sql(ev("email_complained")))
    add("win-back candidates in the US",
        sql(bought, no(ev("purchase", since=d(90))), "c.country = 'United States'"))  # fmt: skip
    add("loyal customers", sql(count_ev("purchase", ">=", 2)))
    add("custs who bought in Q1", sql(ev_on("purchase", *quarter(1))))
    add("custs who bought since feb 28", sql(ev_on("purchase", day(2, 28), tomorrow)))
    add(
        "ppl who opened the spring sale email but havent bought since",
        sql(
            ev("email_opened", where=campaign_named("Spring Sale")),
            no(ev("purchase", where="e.occurred_at > (select max(o.occurred_at) from events o where "
                  "o.contact_id = c.id and o.type = 'email_opened' and o.campaign_id in (select id from "
                  "campaigns where instr(lower(name), 'spring sale') > 0))")),
        ),
    )  # fmt: skip
    return E
