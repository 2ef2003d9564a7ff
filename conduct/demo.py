"""Demo data: a district with councils on different procedures, staff for each role, cases."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from conduct import complaints, demo_hearings
from core.db import db, utcnow
from core.tenancy import scope
from tenants import committee_services, services, two_factor
from tenants.committee_services import MemberDetails
from tenants.models import ContactRoute, Council

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: tuple[tuple[str, str], ...]
    host_admin: bool = False

    @property
    def totp_secret(self) -> str:
        return totp_secret(self.email)

    @property
    def description(self) -> str:
        if self.host_admin:
            return "host administrator (no casework)"
        return ", ".join(f"{role} @ {slug}" for slug, role in self.roles)


def totp_secret(email: str) -> str:
    """A fixed authenticator key per demo account, so a newcomer can add it to an app.

    Derived from the email, never random: anyone can compute it, which is
    fine only because these accounts exist in demo data alone.
    """
    digest = hashlib.sha256(f"conduct-casework demo totp {email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def _give_demo_totp() -> None:
    """Demo accounts without a second factor get their fixed one (an older demo database too)."""
    for account in ACCOUNTS:
        user = services.user_by_email(account.email)
        if user is not None and user.totp_secret is None:
            user.totp_secret = two_factor.seal(user, account.totp_secret)
            user.totp_enrolled_at = utcnow()


COUNCILS = (
    dict(
        slug="fenmoor",
        name="Fenmoor District Council",
        nation="england",
        procedures=["conduct-complaint", "confidential-report", "member-officer-protocol"],
        brand_colour="#00703c",
    ),
    dict(
        slug="ashby-marsh",
        name="Ashby Marsh Town Council",
        nation="england",
        procedures=["conduct-complaint", "member-officer-protocol"],
        brand_colour="#1d70b8",
    ),
    dict(
        slug="little-hadley",
        name="Little Hadley Parish Council",
        nation="england",
        procedures=["conduct-complaint"],
        brand_colour="#4c2c92",
    ),
    dict(
        slug="cwm-aur",
        name="Cwm Aur Community Council",
        name_cy="Cyngor Cymuned Cwm Aur",
        nation="wales",
        procedures=["ombudsman-referral", "local-resolution", "member-officer-protocol"],
        brand_colour="#b10e1e",
    ),
)
ENGLISH = ("fenmoor", "ashby-marsh", "little-hadley")
ALL = (*ENGLISH, "cwm-aur")

ACCOUNTS = (
    DemoAccount("admin@fenmoor.example.org", "Hana Host", (), host_admin=True),
    DemoAccount(
        "monitoring.officer@fenmoor.example.org",
        "Morgan Price",
        tuple((s, "monitoring-officer") for s in ALL),
    ),
    DemoAccount(
        "deputy.mo@fenmoor.example.org",
        "Dev Patel",
        tuple((s, "deputy-monitoring-officer") for s in ALL),
    ),
    DemoAccount(
        "independent.person@fenmoor.example.org",
        "Iris Ward",
        tuple((s, "independent-person") for s in ENGLISH),
    ),
    DemoAccount(
        "investigator@fenmoor.example.org", "Ian Stone", (("ashby-marsh", "investigating-officer"),)
    ),
    DemoAccount("clerk@ashby-marsh.example.org", "Claire Banks", (("ashby-marsh", "clerk"),)),
    DemoAccount("clerk@cwm-aur.example.org", "Gwen Rhys", (("cwm-aur", "clerk"),)),
    DemoAccount("chair@ashby-marsh.example.org", "Charles Hart", (("ashby-marsh", "chair"),)),
    DemoAccount("panel.member@fenmoor.example.org", "Pat Lowe", (("fenmoor", "panel-member"),)),
)


def _routes(council: Council) -> list[ContactRoute]:
    domain = f"{council.slug}.example.org"
    common = [
        ContactRoute(
            kind="monitoring-officer",
            name="Monitoring Officer, Fenmoor District Council",
            name_cy="Swyddog Monitro, Cyngor Dosbarth Fenmoor",
            purpose="Complaints that a councillor has breached the Code of Conduct.",
            purpose_cy="Cwynion bod cynghorydd wedi torri'r Cod Ymddygiad.",
            email="monitoringofficer@fenmoor.example.org",
            phone="01632 960000",
            address="Fenmoor Hall, Market Street, Fenmoor, FN1 1AA",
            hours="Monday to Friday, 9am to 5pm",
        ),
        ContactRoute(
            kind="safeguarding-duty",
            name="Safeguarding duty team",
            name_cy="Tîm dyletswydd diogelu",
            purpose="If you are worried about the safety of a child or an adult at risk.",
            purpose_cy="Os ydych yn poeni am ddiogelwch plentyn neu oedolyn sy'n wynebu risg.",
            phone="01632 960100",
            hours="Monday to Friday, 8:30am to 5pm",
        ),
        ContactRoute(
            kind="out-of-hours",
            name="Out-of-hours emergency team",
            name_cy="Tîm argyfwng y tu allan i oriau",
            purpose="Safeguarding concerns outside office hours.",
            purpose_cy="Pryderon diogelu y tu allan i oriau swyddfa.",
            phone="01632 960999",
            hours="Evenings, weekends and bank holidays",
        ),
        ContactRoute(
            kind="police",
            name="Police",
            name_cy="Yr heddlu",
            purpose="If someone is in immediate danger call 999. Otherwise call 101.",
            purpose_cy=(
                "Os yw rhywun mewn perygl uniongyrchol, ffoniwch 999. Fel arall, ffoniwch 101."
            ),
            phone="101",
        ),
        ContactRoute(
            kind="whistleblowing",
            name="Whistleblowing policy",
            name_cy="Polisi chwythu'r chwiban",
            purpose="For officers and contractors raising concerns about wrongdoing at work.",
            purpose_cy="I swyddogion a chontractwyr sy'n codi pryderon am gamymddwyn yn y gwaith.",
            web_link="https://fenmoor.example.org/whistleblowing",
        ),
    ]
    if council.slug != "fenmoor":
        common.insert(
            1,
            ContactRoute(
                kind="clerk",
                name=f"Clerk to {council.name}",
                name_cy=f"Clerc {council.name_cy or council.name}",
                purpose="Concerns about council officers, and general enquiries.",
                purpose_cy="Pryderon am swyddogion y cyngor, ac ymholiadau cyffredinol.",
                email=f"clerk@{domain}",
                phone="01632 960200",
                hours="Tuesday and Thursday, 10am to 2pm",
            ),
        )
        common.insert(
            2,
            ContactRoute(
                kind="chair",
                name=f"Chair of {council.name}",
                name_cy=f"Cadeirydd {council.name_cy or council.name}",
                purpose="Concerns about the clerk.",
                purpose_cy="Pryderon am y clerc.",
                email=f"chair@{domain}",
            ),
        )
    if council.nation == "wales":
        common.append(
            ContactRoute(
                kind="ombudsman",
                name="Public Services Ombudsman for Wales",
                name_cy="Ombwdsmon Gwasanaethau Cyhoeddus Cymru",
                purpose="Complaints that a councillor has breached the Code of Conduct.",
                purpose_cy="Cwynion bod cynghorydd wedi torri'r Cod Ymddygiad.",
                phone="0300 790 0203",
                web_link="https://www.ombudsman.wales",
            )
        )
    for i, route in enumerate(common):
        route.position = i
    return common


CASES = (
    (
        "ashby-marsh",
        dict(
            title="Ms",
            first_name="Alex",
            last_name="Jones",
            email="alex.jones@example.com",
            preferred_contact="email",
            address="",
            phone="",
            details="At the town council meeting the councillor shouted at a member of the public "
            "and called them 'a liar' in front of the meeting.",
            obligations="Treating others with respect.",
            incident_dates="Town council meeting on the second Tuesday of last month",
            witnesses="Other members of the public at the meeting.",
            outcome_sought="An apology.",
            confidentiality="no",
            confidentiality_reasons="",
            help_needed="",
            declaration=True,
            members=[
                dict(
                    title="Cllr",
                    first_name="Robin",
                    last_name="Gale",
                    authority="Ashby Marsh Town Council",
                )
            ],
        ),
        3,
    ),
    (
        "ashby-marsh",
        dict(
            title="",
            first_name="Sam",
            last_name="Okafor",
            email="sam.okafor@example.com",
            preferred_contact="email",
            address="",
            phone="",
            details="Two councillors posted personal information about me on social media.",
            obligations="Confidentiality; respect.",
            incident_dates="Early this year",
            witnesses="",
            outcome_sought="The posts removed.",
            confidentiality="yes",
            confidentiality_reasons="I fear reprisals from neighbours.",
            help_needed="Large print letters, please.",
            declaration=True,
            members=[
                dict(
                    title="Cllr",
                    first_name="Jo",
                    last_name="Mills",
                    authority="Ashby Marsh Town Council",
                ),
                dict(
                    title="Cllr",
                    first_name="Lee",
                    last_name="Grant",
                    authority="Ashby Marsh Town Council",
                ),
            ],
        ),
        1,
    ),
    (
        "little-hadley",
        dict(
            title="Mr",
            first_name="Peter",
            last_name="Quinn",
            email="",
            preferred_contact="post",
            address="2 Church Lane, Little Hadley, FN9 9ZZ",
            phone="01632 960555",
            details="The councillor voted on a planning application for his brother's land.",
            obligations="Declaring interests.",
            incident_dates="Parish council meeting in March",
            witnesses="The minutes record the vote.",
            outcome_sought="An investigation.",
            confidentiality="no",
            confidentiality_reasons="",
            help_needed="",
            declaration=True,
            members=[
                dict(
                    title="Cllr",
                    first_name="Tom",
                    last_name="Reeve",
                    authority="Little Hadley Parish Council",
                )
            ],
        ),
        10,
    ),
)


# Cases recorded by staff, and how far each has gone: (council, procedure, entry,
# received days ago, complainant, subject, details, actions taken by the Monitoring Officer).
RECORDED = (
    (
        "ashby-marsh",
        "member-officer-protocol",
        "concern",
        6,
        ("Priya", "Shah"),
        ("Dan", "Cole"),
        "A councillor repeatedly shouted at the assistant clerk in the office.",
        (("route-concern", {"about": "member", "handler": "Claire Banks, Clerk"}),),
    ),
    (
        "ashby-marsh",
        "member-officer-protocol",
        "enquiry",
        1,
        ("Jo", "Mills"),
        ("Sam", "Ward"),
        "Councillor asks when the play area repairs will be finished.",
        (),
    ),
    (
        "cwm-aur",
        "local-resolution",
        "complaint",
        4,
        ("Rhys", "Evans"),
        ("Owain", "Price"),
        "At the community council meeting a member called another member a liar.",
        (("within-protocol", {"criteria": ["member-on-member", "low-level", "not-repeat"]}),),
    ),
    (
        "cwm-aur",
        "ombudsman-referral",
        "referral",
        12,
        ("Megan", "Lloyd"),
        ("Huw", "Bevan"),
        "The councillor did not declare an interest in a grant to his son's club.",
        (("referred", {"ombudsman_reference": "202601234"}),),
    ),
    (
        "fenmoor",
        "confidential-report",
        "report",
        2,
        ("Cllr Ann", "Hughes"),
        ("A.", "Contractor"),
        "A contractor appears to have invoiced for work that was not done.",
        (),
    ),
)


# Fenmoor's Conduct Committee (seed 003 Article 9 §1.2): five elected members from two
# groups with a chair and vice-chair, two co-opted parish representatives, and the
# Independent Person. It hears the complaints of the English town and parish councils.
COMMITTEE = (
    MemberDetails(
        "Cllr Pat Lowe",
        office="chair",
        political_group="Fenmoor Independents",
        email="panel.member@fenmoor.example.org",
        account="panel.member@fenmoor.example.org",
    ),
    MemberDetails(
        "Cllr Deborah Finch",
        office="vice-chair",
        political_group="Fen Valley Alliance",
        email="deborah.finch@fenmoor.example.org",
    ),
    MemberDetails("Cllr Marcus Hale", political_group="Fenmoor Independents"),
    MemberDetails("Cllr Nadia Karim", political_group="Fen Valley Alliance"),
    MemberDetails("Cllr Owen Tully", political_group="Fenmoor Independents"),
    MemberDetails("Cllr Rosemary Dunn", kind="co-opted", represents="Ashby Marsh Town Council"),
    MemberDetails("Cllr Graham Pike", kind="co-opted", represents="Little Hadley Parish Council"),
    MemberDetails(
        "Iris Ward",
        kind="independent-person",
        email="independent.person@fenmoor.example.org",
        account="independent.person@fenmoor.example.org",
    ),
)
HEARD_BY_FENMOOR = ("ashby-marsh", "little-hadley")


def _committee(councils: dict[str, Council]) -> None:
    fenmoor = councils["fenmoor"]
    for details in COMMITTEE:
        committee_services.add_member(fenmoor, details)
    for slug in HEARD_BY_FENMOOR:
        committee_services.set_hearing_council(councils[slug], fenmoor.id)


def _advance_demo_cases(councils: dict[str, Council]) -> None:
    from conduct import engine
    from conduct.intake import NewCase, create_case
    from conduct.procedures import PROCEDURES
    from tenants.services import user_by_email

    officer = user_by_email("monitoring.officer@fenmoor.example.org")
    today = engine.today()
    for slug, key, entry, days, who, subject, details, steps in RECORDED:
        council = councils[slug]
        with scope({council.id}):
            case = create_case(
                council,
                PROCEDURES[key],
                entry,
                NewCase(
                    received_on=today - timedelta(days=days),
                    channel="email",
                    first_name=who[0],
                    last_name=who[1],
                    subject_first_name=subject[0],
                    subject_last_name=subject[1],
                    details=details,
                    email=f"{who[0].split()[-1].lower()}@example.com",
                ),
                actor=officer,
            )
            for action, values in steps:
                engine.perform(case, council, action, actor=officer, values=values)
            db.session.flush()  # inside this council's scope


def load() -> list[DemoAccount]:
    """Create the demo district (once); returns the demo accounts."""
    if services.council_by_slug("fenmoor") is not None:
        _give_demo_totp()
        db.session.commit()
        return list(ACCOUNTS)
    councils: dict[str, Council] = {}
    for spec in COUNCILS:
        council = services.create_council(**spec)
        council.routes = _routes(council)
        councils[council.slug] = council
    for account in ACCOUNTS:
        services.create_user(
            email=account.email,
            password=DEMO_PASSWORD,
            full_name=account.name,
            host_admin=account.host_admin,
            roles=[(councils[slug], role) for slug, role in account.roles],
        )
    db.session.flush()
    _give_demo_totp()
    _committee(councils)
    for slug, data, days_ago in CASES:
        council = councils[slug]
        with scope({council.id}):
            draft = complaints.new_draft(council, "en")
            draft.data = data
            submission = complaints.submit(
                council, draft, received_at=utcnow() - timedelta(days=days_ago)
            )
            if slug == "little-hadley":  # a complaint a little further along
                from conduct import engine
                from tenants.services import user_by_email

                officer = user_by_email("monitoring.officer@fenmoor.example.org")
                engine.perform(
                    submission.case,
                    council,
                    "record-acknowledgement",
                    actor=officer,
                    values={"how": "post"},
                )
                engine.perform(submission.case, council, "proceed", actor=officer)
                engine.perform(submission.case, council, "subject-notified", actor=officer)
            db.session.flush()  # inside this council's scope
    _advance_demo_cases(councils)
    demo_hearings.add(councils)
    db.session.commit()
    return list(ACCOUNTS)
