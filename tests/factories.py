"""factory_boy factories shared by the test suites."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from payments.models import ReplacementChoice, SupplementaryPayment
from rma.cases.models import Case, CaseEvent, CaseItem, CaseMessage, Role, Warehouse
from rma.required.models import PartState, ReturnShipment, ShippingAddress


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer: no usable password, signs in by emailed code."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    password = factory.django.Password(None)  # an unusable password


def _join_groups(*default: str):
    """A post-generation hook adding the user to staff groups (``groups=[...]`` overrides)."""

    def join(obj, create, extracted, **kwargs):
        names = default if extracted is None else extracted
        if create and names:
            obj.groups.add(*Group.objects.filter(name__in=names))

    return factory.PostGeneration(join)


class StaffFactory(factory.django.DjangoModelFactory):
    """A member of staff with a password and no group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    is_staff = True
    password = factory.django.Password("a-long-test-password")
    groups = _join_groups()


class AgentFactory(StaffFactory):
    """A warranty agent (group ``Warranty agents``)."""

    groups = _join_groups("Warranty agents")


class SupervisorFactory(StaffFactory):
    """A supervisor (group ``Warranty supervisors``, with ``rma.approve_case``)."""

    groups = _join_groups("Warranty supervisors")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Returns Centre {n}")
    recipient = "RMA Returns Department"
    line1 = factory.Sequence(lambda n: f"{100 + n} Harbour Road")
    city = "Reno"
    region = "NV"
    postal_code = "89501"
    country = "US"


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in any status, written directly (tests of the services start from these)."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"RMA-2026-{900000 + n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    status = Case.Status.PENDING_CONFIRM
    solution_type = Case.SolutionType.REPLACEMENT
    return_required = True
    warehouse = factory.SubFactory(WarehouseFactory)
    country = "US"
    status_changed_at = factory.LazyFunction(timezone.now)

    class Params:
        refund = factory.Trait(
            solution_type=Case.SolutionType.REFUND,
            refund_amount=Decimal("59.99"),
            refund_currency="USD",
        )
        payment_due = factory.Trait(payment_amount=Decimal("12.50"), payment_currency="USD")
        advance_offered = factory.Trait(
            advance_replacement=True, hold_amount=Decimal("129.00"), hold_currency="USD"
        )
        nothing_required = factory.Trait(
            solution_type=Case.SolutionType.REFUND,
            refund_amount=Decimal("59.99"),
            refund_currency="USD",
            return_required=False,
            warehouse=None,
        )

    item = factory.RelatedFactory("tests.factories.CaseItemFactory", factory_related_name="case")


class CaseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseItem

    case = factory.SubFactory(CaseFactory, item=None)
    product_model = "Argus 3 Pro"
    serial_number = factory.Sequence(lambda n: f"SN{n:010d}")
    quantity = 1
    kit_scope = CaseItem.KitScope.SINGLE_UNIT
    purchase_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    actor = None
    actor_role = Role.SYSTEM
    action = "publish"
    from_status = Case.Status.DRAFT
    to_status = Case.Status.PENDING_CONFIRM


class CaseMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseMessage

    case = factory.SubFactory(CaseFactory)
    author = factory.LazyAttribute(lambda message: message.case.customer)
    sender = CaseMessage.Sender.CUSTOMER
    body = "Is there any news?"


def every_part_in(case: Case) -> Case:
    """Rows for each part ``case`` needs, as if the customer had sent them (no files behind them)."""
    submitted = {"state": PartState.SUBMITTED, "submitted_at": timezone.now(), "submitted_by": case.customer}
    if ReplacementChoice.is_needed(case):
        ReplacementChoice.objects.create(case=case, method="standard", **submitted)
    if ReturnShipment.is_needed(case) and not ReturnShipment.after_shipment(case):
        ReturnShipment.objects.create(
            case=case, carrier="UPS", tracking_number="1Z999AA10123456784", **submitted
        )
    if SupplementaryPayment.is_needed(case):
        SupplementaryPayment.objects.create(
            case=case,
            amount=case.payment_amount,
            currency=case.payment_currency,
            receiving_account="payments@example.com",
            transaction_number="5TY05013RG002845M",
            **submitted,
        )
    if ShippingAddress.is_needed(case):
        ShippingAddress.objects.create(
            case=case,
            full_name="Dana Demo",
            line1="42 Elm Street",
            city="Springfield",
            postal_code="12345",
            country=case.country or "US",
            **submitted,
        )
    return case
