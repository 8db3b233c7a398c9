from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("rma/<str:number>/payment/", views.PaymentView.as_view(), name="payment"),
    path("rma/<str:number>/method/", views.MethodView.as_view(), name="method"),
    path("rma/<str:number>/method/paypal/return/", views.HoldReturnView.as_view(), name="method_return"),
    path("rma/<str:number>/method/paypal/cancel/", views.HoldCancelView.as_view(), name="method_cancel"),
    path("rma/<str:number>/invoice-request/", views.InvoiceRequestView.as_view(), name="invoice_request"),
    path(
        "rma/<str:number>/payment/receipts/<int:receipt_id>/<str:variant>/",
        views.ReceiptFileView.as_view(),
        name="receipt_file",
    ),
]
