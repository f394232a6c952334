"""The read built-ins over HTTP (queryOne by id and by fields, queryOneByWrapper,
queryListByWrapper, countByWrapper, queryPage) with relations of every kind and their own
`rsql`/`size` arguments. Every test only reads: the sample data is loaded once.

Sample shops n = 1..5: code S00n, owner Ann/Bob/Chen by n % 3 (S001 Bob, S002 Chen, S003 Ann,
S004 Bob, S005 Chen), status OPEN for S003, CLOSED for S001/S004, SUSPENDED for S002/S005,
items "Item n.1".."Item n.4" with stock 3, 6, 9, 12, tags tags[n % 3] and tags[(n + 1) % 3]
of cats, dogs, fish; the award "Best shop 2025" went to S001 and S005.
"""
from __future__ import annotations

import pytest

from tests.graphql.conftest import Server


@pytest.fixture
def sample_server(module_sample_server: Server) -> Server:
    return module_sample_server



def test_query_one_by_id_and_by_fields(sample_server: Server) -> None:
    server = sample_server
    first = server.gql('{ petShopQuery { queryOne(query: {code: "S002"}) '
                       '{ id name code ownerId owner { name } } } }').ok()
    shop = first["petShopQuery"]["queryOne"]
    assert (shop["name"], shop["code"], shop["owner"]["name"]) == ("Pet shop 2", "S002", "Chen")
    by_id = server.gql('query($id: Long) { petShopQuery { queryOne(query: {id: $id}) '
                       '{ code status income } } }', {"id": shop["id"]}
                       ).ok()["petShopQuery"]["queryOne"]
    assert (by_id["code"], by_id["status"], by_id["income"]) == ("S002", "SUSPENDED", "2000.0000")
    by_fields = 'query($owner: Long, $employees: Int) { petShopQuery { queryOne(query: ' \
        '{ownerId: $owner, status: SUSPENDED, employees: $employees}) { code } } }'
    by_three_fields = server.gql(by_fields, {"owner": shop["ownerId"], "employees": 2}).ok()
    assert by_three_fields["petShopQuery"]["queryOne"] == {"code": "S002"}
    two_match = server.gql(by_fields, {"owner": shop["ownerId"]})   # S002 and S005
    assert two_match.codes == ["MULTIPLE_RESULTS"]
    assert two_match.data == {"petShopQuery": {"queryOne": None}}
    by_enum_and_bool = server.gql('{ petShopQuery { queryOne(query: {status: OPEN, '
                                  'employees: 3, isOpen: true}) { code } } }').ok()
    assert by_enum_and_bool["petShopQuery"]["queryOne"] == {"code": "S003"}
    missing = server.gql('{ petShopQuery { a: queryOne(query: {id: "999999"}) { id } '
                         'b: queryOne(query: {code: "nope"}) { id } } }').ok()
    assert missing["petShopQuery"] == {"a": None, "b": None}


def test_query_one_list_and_count_by_wrapper(sample_server: Server) -> None:
    server = sample_server
    data = server.gql("""{ petShopQuery {
        one: queryOneByWrapper(queryWrapper: {rsql: "code==S004"}) { name status }
        none: queryOneByWrapper(queryWrapper: {rsql: "code==S999"}) { name }
        list: queryListByWrapper(queryWrapper: {rsql: "status==OPEN"}) { code status }
        all: queryListByWrapper { code }
        open: countByWrapper(queryWrapper: {rsql: "status==OPEN"})
        total: countByWrapper
    } }""").ok()["petShopQuery"]
    assert data["one"] == {"name": "Pet shop 4", "status": "CLOSED"}
    assert data["none"] is None
    assert sorted(s["code"] for s in data["list"]) == ["S003"]
    assert {s["status"] for s in data["list"]} == {"OPEN"}
    assert sorted(s["code"] for s in data["all"]) == ["S001", "S002", "S003", "S004", "S005"]
    assert (data["open"], data["total"]) == (1, 5)


def test_query_page_with_relations(sample_server: Server) -> None:
    page = sample_server.gql("""{ petShopQuery { queryPage(page: {currentPage: 1, size: 2,
        sort: {orders: [{field: "code", direction: ASC}]}}) {
          totalElements totalPages currentPage size
          content { code ownerId owner { name shops { code } }
                    items { itemName price stock shop { code } } tags { name } }
    } } }""").ok()["petShopQuery"]["queryPage"]
    assert (page["totalElements"], page["totalPages"], page["currentPage"], page["size"]) == \
        (5, 3, 1, 2)
    first, second = page["content"]
    assert first["code"] == "S001" and first["owner"]["name"] == "Bob"
    assert sorted(s["code"] for s in first["owner"]["shops"]) == ["S001", "S004"]
    assert [(i["itemName"], i["price"], i["stock"]) for i in first["items"]] == [
        ("Item 1.1", "19.9000", 3), ("Item 1.2", "29.9000", 6), ("Item 1.3", "39.9000", 9),
        ("Item 1.4", "49.9000", 12)]
    assert {i["shop"]["code"] for i in first["items"]} == {"S001"}
    assert sorted(t["name"] for t in first["tags"]) == ["dogs", "fish"]
    assert second["code"] == "S002" and second["owner"]["name"] == "Chen"
    assert sorted(t["name"] for t in second["tags"]) == ["cats", "fish"]


def test_to_many_lists_take_rsql_and_size(sample_server: Server) -> None:
    data = sample_server.gql("""{
      petShopQuery { queryListByWrapper(queryWrapper: {rsql: "code=in=(S001,S002)"}) {
        code
        firstTwo: items(size: 2) { itemName }
        stocked: items(rsql: "stock>=9") { itemName stock }
        stockedOne: items(rsql: "stock>=9", size: 1) { itemName }
        none: items(size: 0) { itemName }
        fish: tags(rsql: "name==fish") { name }
        oneTag: tags(size: 1) { name }
      } }
      petTagQuery { queryOneByWrapper(queryWrapper: {rsql: "name==cats"}) {
        name shops(rsql: "code=out=(S002)") { code } } }
      awardQuery { queryListByWrapper { title winners { code } } }
    }""").ok()
    shops = {s["code"]: s for s in data["petShopQuery"]["queryListByWrapper"]}
    one = shops["S001"]
    assert [i["itemName"] for i in one["firstTwo"]] == ["Item 1.1", "Item 1.2"]
    assert [(i["itemName"], i["stock"]) for i in one["stocked"]] == [
        ("Item 1.3", 9), ("Item 1.4", 12)]
    assert [i["itemName"] for i in one["stockedOne"]] == ["Item 1.3"]
    assert one["none"] == []
    assert one["fish"] == [{"name": "fish"}]
    assert len(one["oneTag"]) == 1
    assert shops["S002"]["fish"] == [{"name": "fish"}]
    assert [i["itemName"] for i in shops["S002"]["firstTwo"]] == ["Item 2.1", "Item 2.2"]
    cats = data["petTagQuery"]["queryOneByWrapper"]
    assert cats["name"] == "cats"
    # tags[n % 3] and tags[(n + 1) % 3]: cats (index 0) is on shops 2, 3 and 5
    assert sorted(s["code"] for s in cats["shops"]) == ["S003", "S005"]
    award = data["awardQuery"]["queryListByWrapper"]
    assert [(a["title"], sorted(w["code"] for w in a["winners"])) for a in award] == [
        ("Best shop 2025", ["S001", "S005"])]


def test_to_many_list_arguments_are_checked(sample_server: Server) -> None:
    answer = sample_server.gql('{ petShopQuery { queryListByWrapper { code items(size: -1) '
                               '{ id } } } }')
    assert not answer.success and set(answer.codes) == {"BAD_PAGE"}
    shops = answer.data["petShopQuery"]["queryListByWrapper"]   # a query keeps partial data
    assert len(shops) == 5 and {s["items"] for s in shops} == {None}
    assert answer.errors[0]["path"][:2] == ["petShopQuery", "queryListByWrapper"]
    assert answer.errors[0]["path"][-1] == "items"
    bad_rsql = sample_server.gql('{ petShopQuery { queryListByWrapper { '
                                 'items(rsql: "stock=gt=") { id } } } }')
    assert not bad_rsql.success
    assert bad_rsql.codes[0] == "RSQL_SYNTAX"
    assert bad_rsql.messages[0]["model"] == "demo.PetItem"


def test_proxy_model_reads_the_same_table(sample_server: Server) -> None:
    data = sample_server.gql('{ openShopQuery { countByWrapper queryOne(query: {code: "S003"})'
                             ' { name status income owner { name } } } }').ok()
    assert data["openShopQuery"] == {"countByWrapper": 5, "queryOne": {
        "name": "Pet shop 3", "status": "OPEN", "income": "3000.0000", "owner": {"name": "Ann"}}}


def test_query_one_matches_a_many_to_one_by_its_id_only(sample_server: Server) -> None:
    bob = sample_server.gql('{ petOwnerQuery { queryOne(query: {name: "Bob"}) { id } } }'
                            ).ok()["petOwnerQuery"]["queryOne"]["id"]
    by_nested_id = sample_server.gql(
        'query($id: Long) { petShopQuery { queryOne(query: {owner: {id: $id}, employees: 4}) '
        '{ code } } }', {"id": bob}).ok()
    assert by_nested_id["petShopQuery"]["queryOne"] == {"code": "S004"}
    without_id = sample_server.gql('{ petShopQuery { queryOne(query: {owner: {name: "Bob"}}) '
                                   '{ code } } }')
    assert without_id.codes == ["ID_REQUIRED"]
    assert (without_id.messages[0]["model"], without_id.messages[0]["field"]) == (
        "demo.PetShop", "owner")


def test_proxy_model_many_to_many(sample_server: Server) -> None:
    answer = sample_server.gql('{ openShopQuery { queryOne(query: {code: "S001"}) '
                               '{ tags { name } } } }')
    assert answer.ok()["openShopQuery"]["queryOne"]["tags"] == [{"name": "dogs"},
                                                                 {"name": "fish"}]
