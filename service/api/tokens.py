"""API tokens, for admins: made (the token is shown once), listed, revoked. An admin token
bound to a project manages that project's tokens only."""

from __future__ import annotations

from fastapi import APIRouter, Response

from service.api.deps import PagingDep, PrincipalDep, TokensDep, need
from service.errors import Invalid
from service.schemas import Page, Role, Token, TokenCreate, TokenCreated

router = APIRouter(prefix="/tokens", tags=["tokens"], dependencies=[need(Role.admin)])


@router.post("", status_code=201)
def create_token(body: TokenCreate, tokens: TokensDep, principal: PrincipalDep) -> TokenCreated:
    """A new token; the response holds the token itself, which is not kept (only its
    SHA-256) and cannot be shown again."""
    if principal.project_id is not None:
        if body.project is None:
            raise Invalid(
                "this token's project is the only one it can make tokens for", field="project"
            )
        principal.check(body.project, "project", body.project, "project")
    return tokens.create(body, created_by=principal.token_id)


@router.get("")
def list_tokens(tokens: TokensDep, paging: PagingDep, principal: PrincipalDep) -> Page[Token]:
    return tokens.list(paging.limit, paging.cursor, project_id=principal.project_id)


def _visible(tokens: TokensDep, principal: PrincipalDep, token_id: str) -> Token:
    token = tokens.get(token_id)
    if principal.project_id is not None:
        principal.check(token.project or "", "token", token_id)
    return token


@router.get("/{token_id}")
def read_token(token_id: str, tokens: TokensDep, principal: PrincipalDep) -> Token:
    return _visible(tokens, principal, token_id)


@router.delete("/{token_id}", status_code=204)
def revoke_token(token_id: str, tokens: TokensDep, principal: PrincipalDep) -> Response:
    """The token stops working at once (it stays listed, with `revoked_at`)."""
    _visible(tokens, principal, token_id)
    tokens.revoke(token_id)
    return Response(status_code=204)
