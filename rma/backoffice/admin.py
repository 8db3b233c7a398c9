"""
The warranty team's back office for cases: the case list (``case_list``) and the case page
(``case_page``) of one ``CaseAdmin``, and the catalogue (``catalogue``).
"""

from __future__ import annotations

from django.contrib import admin

from rma.backoffice import catalogue
from rma.backoffice.case_list import CaseListMixin
from rma.backoffice.case_page import CasePageMixin
from rma.backoffice.forms import CaseAdminForm
from rma.cases.models import Case

__all__ = ["CaseAdmin", "catalogue"]


@admin.register(Case)
class CaseAdmin(CaseListMixin, CasePageMixin, admin.ModelAdmin):
    form = CaseAdminForm
