"""What the customer is offered: the fields of a case and of its items that make up the solution."""

# What the customer is offered: a revision must change at least one of these, or an item.
OFFERED_FIELDS = (
    "solution_type",
    "solution_note",
    "return_required",
    "warehouse_id",
    "payment_amount",
    "payment_currency",
    "refund_amount",
    "refund_currency",
    "country",
    "advance_replacement",
    "hold_amount",
    "hold_currency",
)
OFFERED_ITEM_FIELDS = (
    "product_id",
    "product_model",
    "serial_number",
    "uid",
    "quantity",
    "kit_scope",
    "purchase_date",
    "condition",
    "purchase_channel",
    "registered_on",
    "replaces_id",
    "unit_value",
    "warranty_override_until",
    "warranty_override_reason",
)
