"""Seller analytics (E44): sales from orders, attention from the products' activity counters."""
