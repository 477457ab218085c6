from rest_framework.permissions import BasePermission


class IsSeller(BasePermission):
    """The caller's *current* role (read from the database on every request) is seller or admin.

    Roles are never read from a JWT claim (contract C20).
    """

    message = "Only sellers can do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_seller)


class IsStaff(BasePermission):
    message = "Only staff can do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
