"""authMutation login/logout, and the password hash never leaving the server.

The resolver tests run `auth_root_fields` in a schema of their own; the tests over HTTP
go through the generated schema, the `Authorization` header and hashing on write.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType
from strawberry.schema.config import StrawberryConfig

from modelry.boot import App
from modelry.core.graphql.context import GraphQLSettings, RequestContext
from modelry.core.graphql.schema.namespace import Namespace
from modelry.core.graphql.scalars import SCALAR_MAP
from modelry.core.graphql.schema.generated import GeneratedSchema
from modelry.core.graphql.schema.types import TypeFactory
from modelry.core.rsql.errors import RsqlUnknownField
from modelry.core.security import tokens
from modelry.core.security.auth_graphql import auth_root_fields
from modelry.core.security.passwords import is_hashed, verify_password
from modelry.errors import DeclarationError
from tests.security.conftest import AuthServer, make_role, make_user

LOGIN = """mutation Login($login: String!, $password: String!) {
  authMutation { login(login: $login, password: $password) { token expiresAt } } }"""
LOGOUT = "mutation { authMutation { logout } }"
USERS = """{ userQuery { queryPage(page: {size: 50}) {
  totalElements content { id login name active isAdmin roles { code } } } } }"""
WRITE_ONLY = {"User": "password", "AuthToken": "tokenHash"}


# ── resolvers, in a schema of their own ──────────────────────────────────────
def auth_schema(app: App, namespace: Namespace | None = None) -> strawberry.Schema:
    """A schema whose Mutation root holds only `authMutation`."""
    namespace = namespace or Namespace()
    holder = SimpleNamespace(namespace=namespace, registry=app.registry,
                             types=TypeFactory(app.registry, namespace, None))
    mutation = auth_root_fields(holder)

    def ping() -> bool:
        return True

    query = namespace.make_class("Query", {}, {"ping": strawberry.field(
        resolver=namespace.function(ping, {"return": bool}))})
    return strawberry.Schema(query=strawberry.type(query),
                             mutation=strawberry.type(namespace.make_class("Mutation", {},
                                                                           mutation)),
                             config=StrawberryConfig(auto_camel_case=True,
                                                     scalar_map=SCALAR_MAP))


def run(schema: strawberry.Schema, app: App, query: str, token: str | None = None,
        **variables: Any) -> Any:
    context = RequestContext(app, GraphQLSettings(), token=token)
    with app.transaction():
        return schema.execute_sync(query, variable_values=variables, context_value=context)


def test_auth_mutation_shape(app: App) -> None:
    sdl = auth_schema(app).as_str()
    assert "authMutation: AuthMutation!" in sdl
    assert "login(login: String!, password: String!): LoginResult!" in sdl
    assert "logout: Boolean!" in sdl
    assert "token: String!" in sdl and "expiresAt: DateTime!" in sdl


def test_login_returns_a_token_that_signs_in(app: App) -> None:
    user = make_user(app, "ann", "s3cret!")
    result = run(auth_schema(app), app, LOGIN, login="ann", password="s3cret!")
    assert result.errors is None
    answer = result.data["authMutation"]["login"]
    assert tokens.resolve(app, answer["token"]).user_id == user
    expires = dt.datetime.fromisoformat(answer["expiresAt"])
    assert dt.timedelta(hours=7, minutes=59) < expires - tokens.utc_now() <= dt.timedelta(hours=8)


def test_repeated_failures_are_throttled_with_their_own_code(app: App) -> None:
    make_user(app, "ann", "s3cret!")
    codes = [run(auth_schema(app), app, LOGIN, login="ann", password=guess
                 ).errors[0].original_error.code for guess in ["a", "b", "c", "d", "e", "f"]]
    assert codes == ["LOGIN_FAILED"] * 5 + ["LOGIN_THROTTLED"]
    result = run(auth_schema(app), app, LOGIN, login="ann", password="s3cret!")
    assert result.data is None and "try again in" in result.errors[0].message


@pytest.mark.parametrize("login, password", [("ann", "hunter2"), ("nobody", "s3cret!")])
def test_wrong_login_or_password_is_one_generic_error(app: App, login: str,
                                                      password: str) -> None:
    make_user(app, "ann", "s3cret!")
    result = run(auth_schema(app), app, LOGIN, login=login, password=password)
    assert result.data is None
    [error] = result.errors
    assert error.original_error.code == "LOGIN_FAILED"
    assert error.message == "wrong login or password"
    with app.transaction():
        assert app.data.count("base.AuthToken") == 0


def test_logout_revokes_the_callers_token(app: App) -> None:
    user = make_user(app, "ann")
    token, _ = tokens.issue(app, user)
    other, _ = tokens.issue(app, user)
    schema = auth_schema(app)
    assert run(schema, app, LOGOUT, token=token).data == {"authMutation": {"logout": True}}
    with pytest.raises(tokens.Unauthenticated):
        tokens.resolve(app, token)
    assert tokens.resolve(app, other).login == "ann"
    assert run(schema, app, LOGOUT, token=token).data == {"authMutation": {"logout": False}}


def test_logout_without_a_token_is_false(app: App) -> None:
    assert run(auth_schema(app), app, LOGOUT).data == {"authMutation": {"logout": False}}


def test_a_model_type_named_like_the_auth_types_is_refused(app: App) -> None:
    namespace = Namespace()
    namespace.add("LoginResult", object())
    with pytest.raises(DeclarationError, match="LoginResult"):
        auth_schema(app, namespace)


# ── the hash is never readable ──────────────────────────────────────────────
def test_no_output_type_has_a_password_or_token_hash_field(app: App) -> None:
    schema = GeneratedSchema(app.registry)
    outputs = {name: set(t.fields) for name, t in schema.graphql.type_map.items()
               if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType))
               and not name.startswith("__")}
    assert {"login", "name", "active", "isAdmin", "roles"} <= outputs["User"]
    assert {"expiresAt", "revoked", "user"} <= outputs["AuthToken"]
    assert [(name, f) for name, fields in outputs.items() for f in fields
            if f in ("password", "tokenHash")] == []
    inputs = schema.graphql.type_map
    assert isinstance(inputs["UserInput"], GraphQLInputObjectType)
    assert "password" in inputs["UserInput"].fields  # written through inputs
    type_user = schema.sdl().split("type User {")[1].split("}")[0]
    assert "password" not in type_user


@pytest.mark.parametrize("rsql", ["password==x", "password=like=scrypt*", "password=notnull=true",
                                  "login==ann;password=isnull=true", "name==a,password!=b"])
def test_rsql_on_the_password_is_an_unknown_field(app: App, rsql: str) -> None:
    make_user(app, "ann")
    with app.transaction(), pytest.raises(RsqlUnknownField) as refused:
        app.data.query_list("base.User", rsql=rsql)
    assert refused.value.code == "RSQL_UNKNOWN_FIELD"
    assert refused.value.reason == "unknown field 'password' on model base.User"
    assert "scrypt" not in refused.value.message


def test_password_and_token_hash_look_exactly_like_missing_fields(app: App) -> None:
    with app.transaction():
        with pytest.raises(RsqlUnknownField) as missing:
            app.data.count("base.User", rsql="nosuchfield==x")
        with pytest.raises(RsqlUnknownField) as hidden:
            app.data.count("base.User", rsql="password==x")
        with pytest.raises(RsqlUnknownField) as across:
            app.data.count("base.AuthToken", rsql="user.password=notnull=true")
        with pytest.raises(RsqlUnknownField) as token:
            app.data.count("base.AuthToken", rsql="tokenHash==x")
        with pytest.raises(RsqlUnknownField):
            app.data.query_list("base.User", sort="password")
    assert hidden.value.reason == missing.value.reason.replace("nosuchfield", "password")
    assert hidden.value.code == missing.value.code
    assert "password" in across.value.reason and "base.User" in across.value.reason
    assert token.value.code == "RSQL_UNKNOWN_FIELD"


def grant_anonymous_read(app: App, *models: str) -> None:
    """Let callers without a token read `models` (base.ModelAccess rows for `anonymous`)."""
    role = make_role(app, "anonymous")
    access = app.registry.model("base.ModelAccess").cls
    with app.transaction():
        for model in models:
            app.data.create(access(role=role, model=model, perm_read=True))


@pytest.fixture
def users_server(app: App, serve: Any) -> AuthServer:
    """Users (one admin) with tokens; anonymous may read users and tokens."""
    grant_anonymous_read(app, "base.User", "base.AuthToken")
    sales = make_role(app, "sales")
    make_user(app, "ann", "s3cret!", roles=(sales,))
    root = make_user(app, "root", "r00t!", admin=True)
    tokens.issue(app, root)
    return serve(app)


def stored_hashes(app: App) -> set[str]:
    with app.transaction():
        return {u.password for u in app.data.query_list("base.User")} | \
            {t.token_hash for t in app.data.query_list("base.AuthToken")}


def test_query_page_of_users_shows_no_password(app: App, users_server: AuthServer) -> None:
    answer = users_server.gql_as(None, USERS)
    page = answer.ok()["userQuery"]["queryPage"]
    assert page["totalElements"] == 2
    assert sorted(u["login"] for u in page["content"]) == ["ann", "root"]
    assert all(set(u) == {"id", "login", "name", "active", "isAdmin", "roles"}
               for u in page["content"])
    text = str(answer.body)
    assert "scrypt" not in text
    assert not any(secret in text for secret in stored_hashes(app))


def test_asking_for_the_password_is_a_query_error(users_server: AuthServer) -> None:
    for query in ("{ userQuery { queryPage { content { login password } } } }",
                  "{ authTokenQuery { queryPage { content { id tokenHash } } } }"):
        answer = users_server.gql_as(None, query)
        assert answer.data is None and answer.codes == ["GRAPHQL_VALIDATION"]
        assert "Cannot query field" in answer.errors[0]["message"]


def test_other_reads_show_no_hash_either(app: App, users_server: AuthServer) -> None:
    with app.transaction():
        ann = app.data.query_one("base.User", filters={"login": "ann"}).id
    queries = [
        "{ userQuery { queryListByWrapper { id login } } }",
        f'{{ userQuery {{ queryOne(query: {{id: "{ann}"}}) {{ id login name }} }} }}',
        '{ userQuery { queryOneByWrapper(queryWrapper: {rsql: "login==ann"}) { id login } } }',
        "{ authTokenQuery { queryPage { content { id expiresAt revoked user { login } } } } }",
    ]
    secrets = stored_hashes(app)
    for query in queries:
        answer = users_server.gql_as(None, query)
        assert answer.ok()
        assert not any(secret in str(answer.body) for secret in secrets)
        assert "scrypt" not in str(answer.body)


def test_rsql_over_graphql_cannot_probe_the_password(users_server: AuthServer) -> None:
    for rsql in ("password=like=scrypt*", "password=notnull=true"):
        answer = users_server.gql_as(None, '{ userQuery { countByWrapper(queryWrapper: '
                                           f'{{rsql: "{rsql}"}}) }} }}')
        assert answer.data is None
        assert answer.codes == ["RSQL_UNKNOWN_FIELD"]
        assert answer.errors[0]["message"].startswith("unknown field 'password' on model")


@pytest.mark.parametrize("matched", ["stored", None])
def test_query_one_cannot_match_on_the_password(app: App, users_server: AuthServer,
                                                matched: str | None) -> None:
    with app.transaction():
        stored = app.data.query_one("base.User", filters={"login": "ann"}).password
    value = stored if matched == "stored" else None
    answer = users_server.gql_as(
        None, "query($p: String) { userQuery { queryOne(query: {login: \"ann\", password: $p})"
              " { id } } }", {"p": value})
    assert answer.data is None or answer.data["userQuery"]["queryOne"] is None
    assert answer.codes == ["ACCESS_DENIED"]
    assert stored not in str(answer.body)


def test_query_one_cannot_match_on_a_token_hash(app: App, users_server: AuthServer) -> None:
    with app.transaction():
        stored = app.data.query_list("base.AuthToken")[0].token_hash
    answer = users_server.gql_as(
        None, "query($h: String) { authTokenQuery { queryOne(query: {tokenHash: $h}) { id } } }",
        {"h": stored})
    assert answer.data is None or answer.data["authTokenQuery"]["queryOne"] is None
    assert answer.codes == ["ACCESS_DENIED"]


def test_comparing_columns_cannot_reach_the_password(app: App) -> None:
    with app.transaction(), pytest.raises(RsqlUnknownField):
        app.data.count("base.User", rsql="login=cole=password")


# ── over HTTP ───────────────────────────────────────────────────────────
def login_over_http(server: AuthServer, login: str, password: str) -> Any:
    return server.gql_as(None, LOGIN, {"login": login, "password": password})


def test_generated_schema_has_the_auth_mutation(app: App) -> None:
    sdl = GeneratedSchema(app.registry).sdl()
    assert "authMutation: AuthMutation!" in sdl
    assert "login(login: String!, password: String!): LoginResult!" in sdl


def test_login_over_http_then_use_then_logout(app: App, server: AuthServer) -> None:
    user = make_user(app, "ann", "s3cret!")
    answer = login_over_http(server, "ann", "s3cret!").ok()["authMutation"]["login"]
    token = answer["token"]
    assert tokens.resolve(app, token).user_id == user
    assert dt.datetime.fromisoformat(answer["expiresAt"]) > tokens.utc_now()
    assert server.gql_as(token, LOGOUT).ok() == {"authMutation": {"logout": True}}
    refused = server.gql_as(token, LOGOUT)
    assert refused.status == 401 and "UNAUTHENTICATED" in refused.codes
    assert refused.body.get("data") is None


@pytest.mark.parametrize("login, password", [("ann", "hunter2"), ("nobody", "s3cret!")])
def test_failed_login_over_http(app: App, server: AuthServer, login: str,
                                password: str) -> None:
    make_user(app, "ann", "s3cret!")
    answer = login_over_http(server, login, password)
    assert answer.data is None and answer.codes == ["LOGIN_FAILED"]
    assert answer.errors[0]["message"] == "wrong login or password"
    assert password not in str(answer.body)


@pytest.mark.parametrize("authorization", ["Bearer nope", "Basic YW5uOnMzY3JldCE=", "Bearer"])
def test_a_bad_authorization_header_is_unauthenticated(app: App, server: AuthServer,
                                                       authorization: str) -> None:
    answer = server.gql_as(None, LOGOUT, authorization=authorization)
    assert answer.status == 401 and "UNAUTHENTICATED" in answer.codes
    assert answer.body.get("data") is None
    assert "YW5uOnMzY3JldCE" not in str(answer.body)


def test_an_expired_token_over_http_is_unauthenticated(app: App, server: AuthServer) -> None:
    token, _ = tokens.issue(app, make_user(app, "ann"), ttl=dt.timedelta(seconds=-1))
    assert "UNAUTHENTICATED" in server.gql_as(token, LOGOUT).codes


def test_no_header_acts_as_anonymous(app: App, server: AuthServer) -> None:
    assert server.gql_as(None, LOGOUT).ok() == {"authMutation": {"logout": False}}


def test_a_request_acts_as_the_tokens_user(app: App, server: AuthServer) -> None:
    root = make_user(app, "root", admin=True)
    token, _ = tokens.issue(app, root)
    created = server.gql_as(token, 'mutation { petShopMutation { create(data: {name: "Mine"})'
                                   " { id createUid writeUid } } }").ok()
    shop = created["petShopMutation"]["create"]
    assert shop["createUid"] == shop["writeUid"] == str(root)


def test_a_password_written_over_graphql_is_stored_hashed(app: App, server: AuthServer) -> None:
    token, _ = tokens.issue(app, make_user(app, "root", admin=True))
    created = server.gql_as(token, 'mutation { userMutation { create(data: {login: "bob", '
                                   'password: "plain-pw"}) { id } } }').ok()
    bob = created["userMutation"]["create"]["id"]
    with app.transaction():
        stored = app.data.query_one("base.User", filters={"login": "bob"}).password
    assert stored != "plain-pw" and is_hashed(stored) and verify_password("plain-pw", stored)
    assert login_over_http(server, "bob", "plain-pw").ok()["authMutation"]["login"]["token"]
    server.gql_as(token, 'mutation($id: Long) { userMutation { update(data: {id: $id, '
                         'password: "new-pw"}) { id } } }', {"id": bob}).ok()
    assert login_over_http(server, "bob", "new-pw").ok()
    assert login_over_http(server, "bob", "plain-pw").codes == ["LOGIN_FAILED"]


def test_a_password_written_through_the_data_manager_is_stored_hashed(app: App) -> None:
    user_class = app.registry.model("base.User").cls
    with app.transaction():
        user = app.data.create(user_class(login="bob", password="plain-pw"))
        stored = app.data.query_by_id("base.User", user.id).password
    assert is_hashed(stored) and verify_password("plain-pw", stored)
    assert tokens.login(app, "bob", "plain-pw")[0]
    assert "plain-pw" not in stored


def test_an_empty_password_over_graphql_is_refused(app: App, server: AuthServer) -> None:
    token, _ = tokens.issue(app, make_user(app, "root", admin=True))
    answer = server.gql_as(token, 'mutation { userMutation { create(data: {login: "bob", '
                                  'password: ""}) { id } } }')
    assert answer.data is None and answer.codes == ["PASSWORD_REFUSED"]
    assert answer.errors[0]["extensions"]["field"] == "password"
    with app.transaction():
        assert app.data.query_one("base.User", filters={"login": "bob"}) is None


def test_the_hash_is_kept_when_other_fields_change(app: App) -> None:
    user = make_user(app, "ann", "s3cret!")
    with app.transaction():
        before = app.data.query_by_id("base.User", user).password
        record = app.data.query_by_id("base.User", user)
        record.name = "Ann Lee"
        app.data.update_by_id(record)
        copy = app.registry.model("base.User").cls(login="ann2", password=before)
        app.data.create(copy)  # a stored hash written back is not hashed again
        after = app.data.query_by_id("base.User", user).password
        copied = app.data.query_by_id("base.User", copy.id).password
    assert after == before == copied
    assert verify_password("s3cret!", after)
