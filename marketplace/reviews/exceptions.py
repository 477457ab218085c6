from designiaBackend.errors import ApplicationError, PermissionDeniedError


class VerifiedPurchaseRequiredError(PermissionDeniedError):
    code = "verified_purchase_required"
    default_message = "Only buyers who received this product can review it."


class DuplicateReviewError(ApplicationError):
    code = "duplicate_review"
    default_message = "You have already reviewed this product. Edit or delete your review instead."


class NotReviewAuthorError(PermissionDeniedError):
    code = "not_review_author"
    default_message = "Only the author can change this review."


class NotProductSellerError(PermissionDeniedError):
    code = "not_product_seller"
    default_message = "Only the product's seller can reply to its reviews."


class OwnReviewVoteError(ApplicationError):
    code = "own_review"
    default_message = "You cannot vote for your own review."
