"""Drafting and approving campaigns: who may do what, each change written with its audit entry.

Identities are user ids the caller vouches for (Slack's from a signed request, the console's
from a setting): never a name typed in a message. Every change reads the campaign, checks the
move against `campaigns.states` and the person against the rules below, then writes the new
state and an audit entry in one transaction. The row's revision makes two clicks at the same
moment safe: the second one's write finds the row changed and is refused, not merged.

The rules:
- approvers are `Approvers` (user ids; a user group's members where a resolver is given);
- nobody approves a version they drafted or changed;
- a campaign is approved when `approvals_required` different approvers have approved its
  current version; a change to its segment, template version or subject is a new version,
  and takes back the approvals of the one before (the approval is void).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from uuid import uuid4

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from campaigns.models import AuditEntry, Campaign, Drafted, Outcome
from campaigns.states import Action, Refused, State, move
from campaigns.timing import clock_time, next_local, zone_of
from personalization.library import TemplateNotFound, load
from personalization.preview import SAMPLES, Preview, Previewer, PreviewError
from segments.definition import Definition
from store.db import writing
from store.migrate import upgrade
from store.models import Campaign as CampaignRow
from store.models import CampaignAuditEntry, Contact, LedgerEntry, OwnedCampaign

#: The actions after which the version's approvals start again from none.
NEW_VERSION = frozenset({Action.DRAFTED, Action.CHANGED, Action.CHANGES_REQUESTED})
#: Who the scheduler's own moves (start, hold, finish) are by, in the audit.
SYSTEM = "tailor"
#: A send's recipients by state: the contract's four, then those still on the way.
SEND_STATES = ("sent", "skipped", "failed", "unknown", "queued", "sending")
LEDGER = LedgerEntry.__table__
#: Where an approval stands: a change in these states takes it back.
APPROVED = frozenset({State.APPROVED, State.SCHEDULED})


def utc_now() -> datetime:
    return datetime.now(UTC)


class NoCampaign(LookupError):
    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"no campaign {campaign_id}: `campaign list` shows them")
        self.message = str(self)
        self.campaign_id = campaign_id


@dataclass(frozen=True)
class Approvers:
    """Who may approve: user ids, and Slack user groups (ids starting with S) whose members may,
    when `members_of` can list a group's members (the Slack app gives one; elsewhere a group
    approves nobody)."""

    ids: tuple[str, ...] = ()
    members_of: Callable[[str], Collection[str]] | None = None

    def includes(self, user: str) -> bool:
        if user in self.ids:
            return True
        groups = (i for i in self.ids if i.startswith("S"))
        return self.members_of is not None and any(user in self.members_of(group) for group in groups)

    def refusal(self, user: str) -> Refused:
        if not self.ids:
            return Refused(
                "nobody can approve campaigns yet: set TAILOR_APPROVERS to the approvers' user ids"
            )
        return Refused(f"{user} is not an approver: ask {' or '.join(self.ids)}", people=self.ids)


class CampaignService:
    def __init__(
        self,
        engine: Engine,
        previews: Previewer,
        approvers: Approvers,
        approvals_required: int = 1,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.previews = previews
        self.approvers = approvers
        self.approvals_required = approvals_required
        self.clock = clock
        self.writing = writing(engine)
        upgrade(engine)

    # --- drafting --------------------------------------------------------------------------

    def draft(
        self,
        name: str,
        phrase: str,
        template: str,
        by: str,
        subject: str | None = None,
        samples: int = SAMPLES,
    ) -> Drafted:
        """A new campaign awaiting approval, with the preview it will be judged by.
        PreviewError when the phrase is not read or the template not found."""
        name = " ".join(name.split())
        if not name:
            raise Refused("a campaign needs a name")
        preview = self.previews.preview(
            template, phrase, self.clock(), samples, campaign=name, subject=_subject(subject)
        )
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = CampaignRow(external_id=f"tailor-draft-{uuid4().hex}", name=name, subject=subject)
            session.add(row)
            session.flush()
            row.external_id = f"tailor-{row.id}"  # the id is the campaign's name for people
            owned = OwnedCampaign(
                campaign_id=row.id,
                phrase=phrase,
                definition=preview.definition.as_json(),
                template=preview.template,
                template_version=preview.version,
                subject=_subject(subject),
                drafted_by=by,
                state=State.AWAITING_APPROVAL.value,
                approvals_required=self.approvals_required,
                count=preview.members,
                reachable=preview.reachable,
                created_at=now,
                updated_at=now,
            )
            session.add(owned)
            session.flush()
            _audit(session, owned, now, by, Action.DRAFTED)
            campaign_id = row.id
        return Drafted(campaign=self.show(campaign_id), preview=preview)

    def change(
        self,
        campaign_id: int,
        by: str,
        phrase: str | None = None,
        template: str | None = None,
        version: int | None = None,
        subject: str | None = None,
    ) -> tuple[Outcome, Preview]:
        """A new version of the campaign: another segment, template (version) or subject (""
        for the template's own). It needs approving again: an approval it had is void."""
        current = self.show(campaign_id)
        move(current.state, Action.CHANGED)  # before the preview: a sent campaign cannot change
        name = template or current.template
        with self.engine.connect() as conn:
            try:
                stored = load(conn, name, version if (version or template) else current.template_version)
            except TemplateNotFound as error:
                raise PreviewError(str(error)) from error
        new_subject = current.subject if subject is None else _subject(subject)
        definition = None if phrase is not None else Definition.model_validate(current.definition)
        preview = self.previews.preview(
            stored.name,
            phrase or current.phrase,
            self.clock(),
            version=stored.version,
            campaign=current.name,
            subject=new_subject,
            definition=definition,
        )
        changes = _changes(current, preview, new_subject)
        if not changes:
            raise Refused(f"campaign {campaign_id} already has that segment, template version and subject")
        voided = current.state in APPROVED
        comment = "; ".join(changes) + ("; the approval is void" if voided else "")
        if current.state is State.SCHEDULED:
            comment += "; it is no longer scheduled: schedule it again once approved"

        def apply(owned: OwnedCampaign) -> None:
            owned.phrase = phrase or current.phrase
            owned.definition = preview.definition.as_json()
            owned.template, owned.template_version = preview.template, preview.version
            owned.subject = new_subject
            owned.count, owned.reachable = preview.members, preview.reachable
            owned.approved_count = owned.approved_reachable = None
            owned.send_at = owned.local_time = None  # unscheduled: scheduled again once approved

        outcome = self._act(current, by, Action.CHANGED, comment, apply)
        return outcome.model_copy(update={"voided": voided}), preview

    # --- reviewing -------------------------------------------------------------------------

    def approve(self, campaign_id: int, by: str, comment: str | None = None) -> Outcome:
        """One approval of the current version; the campaign is approved with the last one needed."""
        current = self.show(campaign_id)
        move(current.state, Action.APPROVED)
        self._reviewer(current, by, "approve")
        if by in current.approvals:
            missing = current.approvals_missing
            raise Refused(
                f"{by} has approved campaign {campaign_id} already; it needs {missing} more approver(s)"
            )
        done = len(current.approvals) + 1 >= current.approvals_required

        def apply(owned: OwnedCampaign) -> None:
            if done:
                owned.state = State.APPROVED.value
                owned.approved_count, owned.approved_reachable = owned.count, owned.reachable

        return self._act(current, by, Action.APPROVED, comment, apply)

    def request_changes(self, campaign_id: int, by: str, comment: str) -> Outcome:
        """Sent back to whoever drafted it, with what to change; its approvals start again."""
        if not comment.strip():
            raise Refused("say what should change: the comment is what the drafter reads")
        current = self.show(campaign_id)
        move(current.state, Action.CHANGES_REQUESTED)
        self._reviewer(current, by, "request changes to")
        return self._act(current, by, Action.CHANGES_REQUESTED, comment.strip())

    def reject(self, campaign_id: int, by: str, comment: str | None = None) -> Outcome:
        current = self.show(campaign_id)
        move(current.state, Action.REJECTED)
        self._reviewer(current, by, "reject")
        return self._act(current, by, Action.REJECTED, comment)

    def cancel(self, campaign_id: int, by: str, comment: str | None = None) -> Outcome:
        """Cancelled by whoever drafted it or an approver, before it is sent."""
        current = self.show(campaign_id)
        move(current.state, Action.CANCELLED)
        self._owner_or_approver(current, by, "cancel")

        def apply(owned: OwnedCampaign) -> None:
            owned.send_at = None

        return self._act(current, by, Action.CANCELLED, comment, apply)

    def may_approve(self, campaign: Campaign) -> list[str]:
        """The approvers (as configured: user ids, group ids) who could approve it next."""
        done = {*campaign.approvals, *campaign.authors}
        return [i for i in self.approvers.ids if i not in done]

    def _reviewer(self, campaign: Campaign, by: str, verb: str) -> None:
        """Refused unless `by` may review this version: an approver who did not write it."""
        if by in campaign.authors:
            raise Refused(
                f"{by} drafted or changed campaign {campaign.id}: someone else must {verb} it",
                people=tuple(i for i in self.approvers.ids if i != by),
            )
        if not self.approvers.includes(by):
            raise self.approvers.refusal(by)

    # --- where a campaign's thread is --------------------------------------------------------

    def place(self, campaign_id: int, channel: str, thread_ts: str) -> None:
        """Records the Slack thread the campaign is discussed in (its draft's message)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(OwnedCampaign)
                .where(OwnedCampaign.campaign_id == campaign_id)
                .values(channel=channel, thread_ts=thread_ts)
            )

    # --- reading ---------------------------------------------------------------------------

    def show(self, campaign_id: int) -> Campaign:
        with Session(self.engine) as session:
            found = _read(session, [campaign_id])
        if not found:
            raise NoCampaign(campaign_id)
        return found[0]

    def by_thread(self, channel: str, thread_ts: str) -> Campaign | None:
        """The campaign discussed in this Slack thread ("send it now" said in it), if any."""
        with Session(self.engine) as session:
            found = select(OwnedCampaign.campaign_id).where(
                OwnedCampaign.channel == channel, OwnedCampaign.thread_ts == thread_ts
            )
            ids = session.scalars(found.order_by(OwnedCampaign.campaign_id.desc()).limit(1)).all()
            campaigns = _read(session, ids)
        return campaigns[0] if campaigns else None

    def list(self) -> list[Campaign]:
        """Every campaign Tailor drafted, the newest first."""
        with Session(self.engine) as session:
            newest_first = select(OwnedCampaign.campaign_id).order_by(OwnedCampaign.campaign_id.desc())
            return _read(session, session.scalars(newest_first).all())

    def send_counts(self, campaign_id: int) -> dict[str, int]:
        """Recipients per send state (campaigns-contract.md): sent, skipped, failed, unknown, and
        those still on the way (queued, sending)."""
        with self.engine.connect() as conn:
            query = select(LEDGER.c.state, func.count()).where(LEDGER.c.campaign_id == campaign_id)
            found: dict[str, int] = {state: n for state, n in conn.execute(query.group_by(LEDGER.c.state))}
        return {state: found.get(state, 0) for state in SEND_STATES}

    def unknown_contacts(self, campaign_id: int) -> Sequence[str]:
        """The contacts whose message was handed over as the sender died: sent or not, nobody knows."""
        with self.engine.connect() as conn:
            query = (
                select(Contact.external_id)
                .join(LEDGER, LEDGER.c.contact_id == Contact.id)
                .where(LEDGER.c.campaign_id == campaign_id, LEDGER.c.state == "unknown")
                .order_by(Contact.external_id)
            )
            return list(conn.scalars(query))

    # --- sending -----------------------------------------------------------------------------

    def schedule(
        self, campaign_id: int, by: str, at: datetime | None = None, local_time: str | None = None
    ) -> Outcome:
        """Sent at `at` (None: now), or at `local_time` ("9:00") on each recipient's own clock; by
        whoever drafted it or an approver, once approved. Rescheduling moves the time."""
        current = self.show(campaign_id)
        move(current.state, Action.SCHEDULED)
        self._owner_or_approver(current, by, "schedule")
        now = self.clock()
        if local_time is not None:
            try:
                moment = clock_time(local_time)
            except ValueError as error:
                raise Refused(str(error)) from None
            zones = self._zones()
            send_at = min(next_local(moment, zone, now) for zone in zones)
            local: str | None = moment.strftime("%H:%M")
            said = f"at {local} in each recipient's time zone (the first at {send_at:%Y-%m-%d %H:%M} UTC)"
        else:
            if at is not None and at < now - timedelta(minutes=1):
                raise Refused(f"{at:%Y-%m-%d %H:%M} has passed: give a time to come, or send now")
            send_at, local = max(at or now, now).astimezone(UTC), None
            said = "now" if at is None else f"at {send_at:%Y-%m-%d %H:%M} UTC"

        def apply(owned: OwnedCampaign) -> None:
            owned.send_at, owned.local_time = send_at, local

        return self._act(current, by, Action.SCHEDULED, f"send {said}", apply)

    def start(self, campaign_id: int) -> Outcome:
        """The send begins (the scheduler's job fired): its time is taken, so no second job fires."""
        return self._system(campaign_id, Action.STARTED, None)

    def hold(self, campaign_id: int, reachable: int) -> Outcome:
        """Held: the reachable count moved too far since approval for anyone to have approved this."""
        current = self.show(campaign_id)
        approved = current.approved_reachable or 0
        said = f"{'grew' if reachable > approved else 'shrank'} {approved:,} -> {reachable:,} since approval"
        return self._system(campaign_id, Action.HELD, said, reachable=reachable)

    def release(self, campaign_id: int, by: str, audience: str) -> Outcome:
        """After a hold: send to today's members ("all") or to the members as approved ("approved")."""
        if audience not in ("all", "approved"):
            raise Refused("send to 'all' of today's members or to the 'approved' ones")
        current = self.show(campaign_id)
        move(current.state, Action.RELEASED)
        if not self.approvers.includes(by):
            raise self.approvers.refusal(by)
        now = self.clock()

        def apply(owned: OwnedCampaign) -> None:
            owned.audience, owned.send_at = audience, now

        return self._act(current, by, Action.RELEASED, f"send to the {audience} members", apply)

    def resend_unknown(self, campaign_id: int, by: str) -> Outcome:
        """A person's decision: the recipients whose message may or may not have gone (`unknown`)
        are queued again and sent by the worker; they may get it twice. An approver decides."""
        current = self.show(campaign_id)
        move(current.state, Action.RESENT)
        if not self.approvers.includes(by):
            raise self.approvers.refusal(by)
        unknown = len(self.unknown_contacts(campaign_id))
        if not unknown:
            raise Refused(f"campaign {campaign_id} has no recipient whose message is unknown")
        now = self.clock()

        def apply(owned: OwnedCampaign) -> None:
            owned.send_at = now
            session = object_session(owned)
            assert session is not None  # (`_act` read it in its session)
            session.execute(  # in the move's transaction: both happen, or neither
                update(LEDGER)
                .where(LEDGER.c.campaign_id == campaign_id, LEDGER.c.state == "unknown")
                .values(state="queued", due_at=now, reason=None, updated_at=now)
            )

        return self._act(current, by, Action.RESENT, f"{unknown:,} unknown recipient(s) queued again", apply)

    def finish(self, campaign_id: int, said: str) -> Outcome:
        return self._system(campaign_id, Action.FINISHED, said)

    def continue_at(self, campaign_id: int, at: datetime | None) -> None:
        """A send with recipients due later (their own 9:00): its job fires again then; None: a
        send running now, whose job must not fire again meanwhile."""
        with self.engine.begin() as conn:
            conn.execute(
                update(OwnedCampaign).where(OwnedCampaign.campaign_id == campaign_id).values(send_at=at)
            )

    def _system(
        self, campaign_id: int, action: Action, said: str | None, reachable: int | None = None
    ) -> Outcome:
        def apply(owned: OwnedCampaign) -> None:
            owned.send_at = None
            if reachable is not None:
                owned.reachable = reachable

        return self._act(self.show(campaign_id), SYSTEM, action, said, apply)

    def _owner_or_approver(self, campaign: Campaign, by: str, verb: str) -> None:
        if by != campaign.drafted_by and not self.approvers.includes(by):
            who = f"only {campaign.drafted_by}, who drafted it, or an approver"
            raise Refused(f"{who} can {verb} campaign {campaign.id}")

    def _zones(self) -> set[tzinfo]:
        """The time zones of the store's contacts, and the workspace's."""
        workspace = self.previews.segments.zone
        with self.engine.connect() as conn:
            names = conn.scalars(select(Contact.timezone).distinct().where(Contact.timezone.is_not(None)))
            return {zone_of(name, workspace) for name in names} | {workspace}

    # --- the one way a campaign changes ------------------------------------------------------

    def _act(
        self,
        seen: Campaign,
        by: str,
        action: Action,
        comment: str | None = None,
        apply: Callable[[OwnedCampaign], None] | None = None,
    ) -> Outcome:
        """The move and its audit entry in one transaction, if the campaign is still as `seen`
        (the rules were checked against it): otherwise someone acted meanwhile, and this is refused."""
        now = self.clock()
        meanwhile = Refused(f"someone acted on campaign {seen.id} at the same moment: look at it again")
        try:
            with Session(self.writing) as session, session.begin():
                owned = session.get(OwnedCampaign, seen.id)
                if owned is None:
                    raise NoCampaign(seen.id)
                if owned.revision != seen.revision:
                    raise meanwhile
                owned.state = move(State(owned.state), action).value
                if apply is not None:
                    apply(owned)
                owned.updated_at = now
                session.flush()  # the revision check: UPDATE ... WHERE revision = the one read
                _audit(session, owned, now, by, action, comment)
        except StaleDataError:
            raise meanwhile from None
        campaign = self.show(seen.id)
        return Outcome(campaign=campaign, entry=campaign.audit[-1])


def _audit(
    session: Session, owned: OwnedCampaign, at: datetime, by: str, action: Action, comment: str | None = None
) -> None:
    session.execute(
        insert(CampaignAuditEntry).values(
            campaign_id=owned.campaign_id,
            at=at,
            by=by,
            action=action.value,
            state=owned.state,
            template_version=owned.template_version,
            definition=owned.definition,
            count=owned.reachable,
            comment=comment or None,
        )
    )


def _read(session: Session, ids: Iterable[int]) -> list[Campaign]:
    ids = list(ids)
    if not ids:
        return []
    rows = session.execute(
        select(OwnedCampaign, CampaignRow.name)
        .join(CampaignRow, CampaignRow.id == OwnedCampaign.campaign_id)
        .where(OwnedCampaign.campaign_id.in_(ids))
    ).all()
    entries: dict[int, list[AuditEntry]] = {i: [] for i in ids}
    audit = (
        select(CampaignAuditEntry)
        .where(CampaignAuditEntry.campaign_id.in_(ids))
        .order_by(CampaignAuditEntry.id)
    )
    for entry in session.scalars(audit):
        entries[entry.campaign_id].append(AuditEntry.model_validate(entry, from_attributes=True))
    found = {owned.campaign_id: _campaign(owned, name, entries[owned.campaign_id]) for owned, name in rows}
    return [found[i] for i in ids if i in found]


def _campaign(owned: OwnedCampaign, name: str, audit: list[AuditEntry]) -> Campaign:
    columns = {column.key: getattr(owned, column.key) for column in OwnedCampaign.__table__.columns}
    extra = {"id": owned.campaign_id, "name": name, "approvals": _approvals(audit), "audit": audit}
    return Campaign.model_validate({**columns, **extra})


def _approvals(audit: list[AuditEntry]) -> list[str]:
    """The approvers of the current version: since the last draft, change or request for changes."""
    approvers: list[str] = []
    for entry in audit:
        if entry.action in NEW_VERSION:
            approvers = []
        elif entry.action is Action.APPROVED and entry.by not in approvers:
            approvers.append(entry.by)
    return approvers


def _changes(current: Campaign, preview: Preview, subject: str | None) -> list[str]:
    said = []
    if preview.definition.as_json() != current.definition:
        said.append(f"segment now {preview.phrase!r} ({preview.reachable:,} reachable)")
    if (preview.template, preview.version) != (current.template, current.template_version):
        said.append(f"template now {preview.template} version {preview.version}")
    if subject != current.subject:
        said.append(f"subject now {subject!r}" if subject else "subject now the template's")
    return said


def _subject(subject: str | None) -> str | None:
    """A campaign's own subject, or None for the template's ("" and spaces included)."""
    return " ".join(subject.split()) or None if subject is not None else None
