"""Who is asking, and what they may do (issue 12): a request's `Principal` is resolved from
its bearer token before the body is read (service/api/auth.py); a role is needed per HTTP
method, and a token bound to a project sees nothing of another project (404, as for an id
that does not exist)."""

from __future__ import annotations

from dataclasses import dataclass

from service.errors import Forbidden, NotFound
from service.schemas import Role

RANK = {Role.read: 0, Role.write: 1, Role.admin: 2}

# The role a request needs by its method; routes that need more (tokens) say so.
METHOD_ROLE = {"GET": Role.read, "HEAD": Role.read, "OPTIONS": Role.read, "DELETE": Role.admin}


def role_for_method(method: str) -> Role:
    return METHOD_ROLE.get(method.upper(), Role.write)


@dataclass(frozen=True)
class Principal:
    """The caller: a token (its id, role, and project: id and name, None for every
    project), the bootstrap token (FITDOC_API_TOKEN), or anyone when auth is off."""

    token_id: str | None
    role: Role
    project_id: str | None = None
    project: str | None = None
    # Who counts against the per-caller limits: the token, or the client's address.
    client: str = ""

    @property
    def limit_key(self) -> str:
        return f"token:{self.token_id}" if self.token_id else f"client:{self.client}"

    def allows(self, role: Role) -> bool:
        return RANK[self.role] >= RANK[role]

    def require(self, role: Role) -> None:
        if not self.allows(role):
            raise Forbidden(
                f"this token's role is {self.role.value}; this needs {role.value}",
                field="authorization",
            )

    def sees(self, project: str) -> bool:
        """Whether the caller may see `project` (its name or id)."""
        return self.project_id is None or project in (self.project_id, self.project)

    def check(self, project: str, what: str, key: str, field: str | None = None) -> None:
        """NotFound for a `what` of a project the caller cannot see, as if it did not
        exist."""
        if not self.sees(project):
            raise NotFound.missing(what, key, field)

    def scope(self, project: str | None) -> str | None:
        """A list's project filter as this caller may ask it: its own project when bound to
        one (another project's name reads as unknown)."""
        if self.project_id is None:
            return project
        if project is not None and not self.sees(project):
            raise NotFound.missing("project", project, "project")
        return self.project_id


def everyone(client: str = "") -> Principal:
    """Auth off (no FITDOC_API_TOKEN, loopback only), or the bootstrap token: admin of
    every project."""
    return Principal(token_id=None, role=Role.admin, client=client)
