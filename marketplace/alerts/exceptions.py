from designiaBackend.errors import ApplicationError


class ProductInStock(ApplicationError):
    code = "in_stock"
    status = 400
    default_message = "This product is in stock: add it to your cart instead."


class OwnProductAlert(ApplicationError):
    code = "own_product"
    status = 400
    default_message = "You cannot subscribe to your own product."
