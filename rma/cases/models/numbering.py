"""Case numbers: one counter a year, locked while the next number is taken."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseNumberCounter(models.Model):
    """The last case number handed out in a year, locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"
