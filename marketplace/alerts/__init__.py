"""Back-in-stock alerts ("notify me"): a buyer subscribes to an out-of-stock product and hears once
when it is restocked."""
