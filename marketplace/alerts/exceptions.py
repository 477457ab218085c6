from designiaBackend.errors import ApplicationError


class ProductInStock(ApplicationError):
    code = "in_stock"
    status = 400
    default_message = "This product is in stock: add it to your cart instead."


class OwnProductAlert(ApplicationError):
    code = "own_product"
    status = 400
    default_message = "You cannot subscribe to your own product."


class TooManySavedSearches(ApplicationError):
    code = "too_many_saved_searches"
    status = 400
    default_message = "You have saved as many searches as allowed; delete one first."
