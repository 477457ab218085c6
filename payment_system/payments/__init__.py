"""Payment records: one ``Payment`` per order, one ``SellerTransaction`` per seller, ``Refund``s."""
