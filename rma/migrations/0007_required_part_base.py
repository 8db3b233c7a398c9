# The return shipment and the shipping address share one base (rma.required.models.RequiredPart):
# the address's confirmed_at/by become submitted_at/by, kept as they were.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('rma', '0006_event_actions_of_required_information'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name='shippingaddress',
            old_name='confirmed_at',
            new_name='submitted_at',
        ),
        migrations.RenameField(
            model_name='shippingaddress',
            old_name='confirmed_by',
            new_name='submitted_by',
        ),
        migrations.AddField(
            model_name='returnshipment',
            name='on_behalf',
            field=models.BooleanField(default=False, help_text='The warranty team entered it for the customer.', verbose_name="sent on the customer's behalf"),
        ),
        migrations.AddField(
            model_name='returnshipment',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='shippingaddress',
            name='on_behalf',
            field=models.BooleanField(default=False, help_text='The warranty team entered it for the customer.', verbose_name="sent on the customer's behalf"),
        ),
        migrations.AddField(
            model_name='shippingaddress',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='shippingaddress',
            name='sent_back_items',
            field=models.JSONField(blank=True, default=list, verbose_name='pieces sent back'),
        ),
        migrations.AlterField(
            model_name='shippingaddress',
            name='submitted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='submitted'),
        ),
        migrations.AlterField(
            model_name='shippingaddress',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by'),
        ),
        migrations.AlterField(
            model_name='returnshipment',
            name='state',
            field=models.CharField(choices=[('to_do', 'To do'), ('submitted', 'Submitted'), ('sent_back', 'Sent back'), ('accepted', 'Accepted')], default='to_do', max_length=20, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='returnshipment',
            name='submitted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='submitted'),
        ),
    ]
