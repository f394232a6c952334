"""GraphQL type names of models (both paths name types alike)."""
from __future__ import annotations

from modelry.core.naming import lower_camel, model_name, module_of, technical_name
from modelry.core.registry import ModelMeta

# Names the schema gives types of its own. A model named like one (`order.Order`, next to
# the sort key input `Order`) would make the schema unbuildable, so its types take its
# module's name as a prefix instead.
BUILT_IN_TYPE_NAMES = frozenset({
    "Direction", "Order", "Sort", "Pagination", "QueryWrapper", "Query", "Mutation",
    "Long", "BigDecimal", "DateTime", "Date", "Time", "Binary", "JSON",
    "String", "Int", "Float", "Boolean", "ID"})


def type_name(meta: ModelMeta) -> str:
    """`demo.PetShop` → `PetShop`; a model named like a built-in type gets its module's
    name as a prefix: `order.Order` → `OrderOrder`; one given its own technical name
    (`name="orderMerchant"`) is named by it: `OrderMerchant`."""
    if meta.name != technical_name(meta.code):
        return meta.name[:1].upper() + meta.name[1:]
    name = model_name(meta.code)
    if name in BUILT_IN_TYPE_NAMES:
        module = lower_camel(module_of(meta.code))
        return module[:1].upper() + module[1:] + name
    return name
