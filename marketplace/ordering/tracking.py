"""Tracking links of the carriers the marketplace knows (a seller may also give their own URL)."""

from urllib.parse import quote

from marketplace.ordering.models import Shipment

CARRIER_TRACKING_URLS = {
    "ups": "https://www.ups.com/track?tracknum={number}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "dhl": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "ctt": "https://www.ctt.pt/feapl_2/app/open/objectSearch/objectSearch.jspx?objects={number}",
}


def tracking_link(shipment: Shipment) -> str:
    """The seller's tracking URL, else the carrier's page for the number ('' when unknown)."""
    if shipment.tracking_url:
        return shipment.tracking_url
    template = CARRIER_TRACKING_URLS.get((shipment.carrier_code or shipment.shipping_carrier).strip().lower())
    if template is None or not shipment.tracking_number:
        return ""
    return template.format(number=quote(shipment.tracking_number, safe=""))
