"""The principal of a request: a staff user (through a signed token), an integration (through a
commune's API key), another service of the deployment (through a signed token), or nobody."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    """Staff roles; the staff pages and every API follow the same matrix."""

    COMMUNE_ADMIN = "commune_admin"
    PARTY_OFFICE = "party_office"
    OFFICE_STAFF = "office_staff"
    HAMLET_CELL = "hamlet_cell"
    FRONT_ORG = "front_org"
    OPERATOR = "operator"

    @property
    def label_vi(self) -> str:
        return ROLE_LABELS_VI[self]


ROLE_LABELS_VI: dict[Role, str] = {
    Role.COMMUNE_ADMIN: "Quản trị của xã",
    Role.PARTY_OFFICE: "Văn phòng Đảng ủy",
    Role.OFFICE_STAFF: "Cán bộ cơ quan chuyên môn",
    Role.HAMLET_CELL: "Chi bộ ấp",
    Role.FRONT_ORG: "Mặt trận Tổ quốc, đoàn thể",
    Role.OPERATOR: "Vận hành hệ thống (mọi xã)",
}

MANAGERS = frozenset(
    {Role.PARTY_OFFICE, Role.COMMUNE_ADMIN}
)  # review, reclassify, plans, documents, any task
ANSWERERS = MANAGERS | {Role.OFFICE_STAFF}  # prepare answers, follow up their own office's tasks
COMMUNE_STAFF = frozenset(Role) - {Role.OPERATOR}


class Scope(StrEnum):
    """What a commune's API key may do; a staff user's role implies its scopes (ROLE_SCOPES)."""

    SUBMIT = "submit"  # send submissions (JSON API, Open311) as the integration, not as anonymous
    READ = "read"  # read the commune's submissions, plans, decisions, documents and follow-up
    PLAN = "plan"  # edit plans, calendar, duties done, registrations
    ROUTE = "route"  # routing changes, answers, rules
    ISSUE = "issue"  # issue documents
    FOLLOW_UP = "follow_up"  # change follow-up tasks


class PrincipalKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    SERVICE = "service"  # a service of the deployment reading another's API (`service_principal`)


class Principal(BaseModel):
    """Frozen; `commune_id` is None only for the operator."""

    model_config = ConfigDict(frozen=True)

    kind: PrincipalKind
    subject: str  # the user id or the API key id
    name: str  # what audit trails and `by` fields record: the username or "api-key:<name>"
    commune_id: str | None
    role: Role | None = None  # users only
    office_id: str | None = None  # office_staff only
    hamlet_id: str | None = None  # hamlet_cell only
    # front_org only: the mass organisation the account speaks for (an `Organisation` value);
    # None is the Fatherland Front committee itself
    organisation: str | None = None
    scopes: frozenset[Scope] = frozenset()  # API keys only

    @property
    def is_user(self) -> bool:
        return self.kind is PrincipalKind.USER

    def has_role(self, roles: frozenset[Role]) -> bool:
        return self.role is not None and self.role in roles

    def has_scope(self, scopes: frozenset[Scope]) -> bool:
        return bool(self.scopes & scopes)

    def is_service(self, services: frozenset[str]) -> bool:
        return self.kind is PrincipalKind.SERVICE and self.subject in services

    @property
    def reads_as_typed(self) -> bool:
        """Who may see who sent an item (the Party office, the commune admin) reads residents'
        texts as typed; everyone else (offices, cells, organisations, integrations, services) masked."""
        return self.has_role(MANAGERS)

    def reads_commune(self, commune_id: str) -> bool:
        """Staff of the commune, or its integration with `read`: sees what public views leave out."""
        return self.commune_id == commune_id and (self.has_role(COMMUNE_STAFF) or Scope.READ in self.scopes)


def service_principal(service: str, commune_id: str) -> Principal:
    """A service of the deployment calling another service's API about one commune: no role and
    no scope, so only the routes whose policy names the service let it in (`allow(services=...)`)."""
    return Principal(
        kind=PrincipalKind.SERVICE, subject=service, name=f"service:{service}", commune_id=commune_id
    )
