"""The accounts API: /api/v1/auth/* (paths of the earlier platform) and /api/v1/users/."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services, tokens
from accounts.serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    PrivateUserSerializer,
    ProfileUpdateSerializer,
    PublicUserSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
)
from core import parsers  # the API parsers: NUL bytes and lone surrogates are a 400
from core.audit import client_ip
from core.schema import errors


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "invalid_credentials"
    default_detail = services.InvalidCredentials.message


class InvalidToken(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "token_not_valid"
    default_detail = "The refresh token is invalid or expired."


class PublicEndpoint(APIView):
    """An endpoint that ignores any Authorization header (a stale access token must not block a login)."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)


class RegisterView(PublicEndpoint):
    @extend_schema(request=RegisterSerializer, responses={201: PrivateUserSerializer, **errors(429)}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Create an account; a verification link is emailed to the address."""
        services.registration_attempt(ip=client_ip(request))  # counted before validation: failures cost too
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(PrivateUserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(PublicEndpoint):
    @extend_schema(request=LoginSerializer, responses={200: LoginResponseSerializer, **errors(401, 429)}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Log in with a username or email address; returns an access and a refresh token."""
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user, pair = services.user_login_tokens(
                request=request._request,
                identifier=data.validated_data["username"],
                password=data.validated_data["password"],
                ip=client_ip(request),
            )
        except services.InvalidCredentials as exc:
            raise InvalidCredentials() from exc
        return Response({"access": pair.access, "refresh": pair.refresh, "user": PrivateUserSerializer(user).data})


class RefreshView(PublicEndpoint):
    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer, **errors(401)}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Rotate a refresh token: the one presented can never be used again."""
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            pair = tokens.token_refresh(raw=data.validated_data["refresh"])
        except tokens.TokenRejected as exc:
            raise InvalidToken(str(exc)) from exc
        return Response({"access": pair.access, "refresh": pair.refresh})


class LogoutView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(request=LogoutSerializer, responses={204: None, **errors(401)}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Revoke a refresh token, or with ``all`` every refresh token of the account.

        Signed in, only a refresh token of your own is revoked: another account's answers 401
        ``token_not_valid`` (as an unknown token does) and stays valid.
        """
        data = LogoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        raw = data.validated_data.get("refresh")
        if raw:
            try:  # an authenticated caller revokes only a token of their own; anyone else's is left alone
                user = tokens.token_revoke(raw=raw, caller=user)
            except tokens.TokenRejected as exc:
                raise InvalidToken(str(exc)) from exc
        if data.validated_data["all"]:
            if user is None:
                raise exceptions.NotAuthenticated()
            tokens.tokens_revoke_all(user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    @extend_schema(request=PasswordChangeSerializer, responses={200: TokenPairSerializer, **errors(429)}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Change my password, giving the current one.

        Every refresh token of the account is revoked and every socket of it closes (4401): the answer
        is a new access and refresh pair for this client.
        """
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_change_password(user=request.user, ip=client_ip(request), **data.validated_data)
        pair = tokens.token_pair_issue(user=request.user)
        return Response({"access": pair.access, "refresh": pair.refresh})


class MeView(APIView):
    @extend_schema(responses=PrivateUserSerializer, tags=["auth"])
    def get(self, request: Request) -> Response:
        """The authenticated account, with its email and role."""
        return Response(PrivateUserSerializer(request.user).data)


class UserMeView(APIView):
    @extend_schema(responses=PrivateUserSerializer, tags=["users"])
    def get(self, request: Request) -> Response:
        """My account."""
        return Response(PrivateUserSerializer(request.user).data)

    @extend_schema(request=ProfileUpdateSerializer, responses=PrivateUserSerializer, tags=["users"])
    def patch(self, request: Request) -> Response:
        """Change my first name, last name or bio (the role, username and email are not editable here)."""
        data = ProfileUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **data.validated_data)
        return Response(PrivateUserSerializer(user).data)


class UserAvatarView(APIView):
    parser_classes = (parsers.MultiPartParser,)

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"avatar": {"type": "string", "format": "binary"}}}
        },
        responses=PrivateUserSerializer,
        tags=["users"],
    )
    def put(self, request: Request) -> Response:
        """Upload my avatar (JPEG, PNG, WebP or GIF, 5 MB at most)."""
        upload = request.FILES.get("avatar")
        if upload is None:
            raise exceptions.ValidationError({"avatar": ["Attach an image in the 'avatar' field."]})
        return Response(PrivateUserSerializer(services.user_set_avatar(user=request.user, upload=upload)).data)

    @extend_schema(request=None, responses={204: None}, tags=["users"])
    def delete(self, request: Request) -> Response:
        """Remove my avatar."""
        services.user_set_avatar(user=request.user, upload=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserListView(generics.ListAPIView):
    serializer_class = PublicUserSerializer

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Part of a username, first or last name.")],
        tags=["users"],
    )
    def get(self, request, *args, **kwargs):
        """Find people by username or name."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.user_list(search=self.request.query_params.get("search"))


class UserDetailView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(responses=PublicUserSerializer, tags=["users"])
    def get(self, request: Request, pk: int) -> Response:
        """A public profile (never the email or role)."""
        user = selectors.user_get_public(user_id=pk)
        if user is None:
            raise exceptions.NotFound()
        return Response(PublicUserSerializer(user).data)
