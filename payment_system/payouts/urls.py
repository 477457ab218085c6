from django.urls import path

from payment_system.payouts import apis

urlpatterns = [
    path("stripe/holds/", apis.SellerHoldsApi.as_view(), name="stripe-holds"),
    path("payouts/", apis.SellerPayoutListApi.as_view(), name="payouts"),
    path("payouts/<int:payout_id>/", apis.SellerPayoutDetailApi.as_view(), name="payout-detail"),
    path("admin/transactions/", apis.AdminTransactionListApi.as_view(), name="admin-transactions"),
    path("admin/payouts/", apis.AdminPayoutListApi.as_view(), name="admin-payouts"),
]
