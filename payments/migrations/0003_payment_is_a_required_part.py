# The payment proof is one of the required parts (rma.required.models.RequiredPart).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0002_warranty_group_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='supplementarypayment',
            name='on_behalf',
            field=models.BooleanField(default=False, help_text='The warranty team entered it for the customer.', verbose_name="sent on the customer's behalf"),
        ),
        migrations.AddField(
            model_name='supplementarypayment',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='supplementarypayment',
            name='sent_back_items',
            field=models.JSONField(blank=True, default=list, verbose_name='pieces sent back'),
        ),
    ]
