"""``GET /api/system/app-version-check/``: is the mobile app up to date, or too old to run?"""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ar import selectors, serializers
from ar.apis.common import error_response, parse_query


class AppVersionCheckView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="app_version_check",
        parameters=[serializers.AppVersionQuerySerializer],
        responses={
            200: serializers.AppVersionCheckSerializer,
            400: error_response("Unknown platform or malformed version."),
        },
    )
    def get(self, request):
        query = parse_query(serializers.AppVersionQuerySerializer, request)
        result = selectors.app_version_check(platform=query["platform"], version=query["version"])
        return Response(serializers.AppVersionCheckSerializer(result).data)
