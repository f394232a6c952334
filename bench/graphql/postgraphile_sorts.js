// Orders PostGraphile v4 lacks for this schema, added as a user of it would add them.
//
// modelry indexes a nullable foreign key NULLS FIRST on PostgreSQL (NULL is the smallest
// value on every database), so `DESC NULLS LAST` walks those indexes backward. The
// built-in SHOP_ID_DESC is PostgreSQL's DESC (NULLS FIRST), which no index serves: it
// sorts the whole table. SHOP_ID_DESC_NULLS_LAST and OWNER_ID_DESC_NULLS_LAST are the
// orders of modelry's `sort: shop DESC` and `sort: owner DESC` (queries.py).
const { makeAddPgTableOrderByPlugin, makePluginByCombiningPlugins } = require("graphile-utils");

function descNullsLast(table, column, name) {
  return makeAddPgTableOrderByPlugin("public", table, () => ({
    [name]: { value: { alias: name.toLowerCase(), specs: [[column, false, false]], unique: false } },
  }));
}

module.exports = makePluginByCombiningPlugins(
  descNullsLast("demo_pet_item", "shop_id", "SHOP_ID_DESC_NULLS_LAST"),
  descNullsLast("demo_pet_shop", "owner_id", "OWNER_ID_DESC_NULLS_LAST"),
);
