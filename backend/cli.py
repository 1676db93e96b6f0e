"""The ``rasd`` command line: migrate, seed the demo, serve, and manage users and devices."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import msgspec

from backend.authz.principal import ROLES
from backend.db.engine import Database, make_database
from backend.errors import DomainError
from backend.i18n import translate
from backend.settings import Settings, load_settings
from backend.users import service as users
from backend.users.wire import ScopeIn, UserCreate, UserUpdate

T = TypeVar("T")


def parse_scope(text: str) -> ScopeIn:
    """``national``, ``bodies:CNAS,CNR``, ``wilayas:16,31`` or ``agencies:<uuid>,…``."""
    kind, _, ids = text.partition(":")
    return msgspec.convert({"kind": kind, "ids": [i for i in ids.split(",") if i]}, ScopeIn)


def _run(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        db = make_database(settings.database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def _password(args: argparse.Namespace) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    from_env = os.environ.get("RASD_NEW_PASSWORD")
    if from_env:
        return from_env
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("The two passwords differ.")
    return first


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> None:
    from backend.db.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    print("database is up to date")


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    """Seed the demo once; its history (past quarters of visits) when the base was just made or the
    database holds no visit yet. ``--scale N`` grows the history to about N visits per agency and
    quarter (40: about 100,000 visits, for benchmarks); ``--scale 0`` seeds no history."""
    from backend.demo.history import has_visits, seed_history
    from backend.demo.seed import print_logins, seed_demo

    def say(line: str) -> None:
        print(line, flush=True)

    async def work(db: Database) -> bool:
        created = await seed_demo(db, password=settings.demo_password, scale=args.scale)
        say("demo data created" if created else "demo data already present; kept as it is")
        if args.scale > 0 and (created or not await has_visits(db)):  # --scale 0: no history
            await seed_history(db, scale=args.scale, progress=say)
        return created

    _run(settings, work)
    print_logins(settings.demo_password)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        "backend.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("RASD_TRUSTED_PROXIES", "127.0.0.1"),
        log_level="warning",
        access_log=False,  # our own structured access log replaces uvicorn's
    )


def cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    """Everything ``make run`` needs: migrate, seed the demo once, print the logins, serve."""
    cmd_migrate(settings, args)
    cmd_demo(settings, argparse.Namespace(scale=1))
    print(f"Rasd is starting on http://{args.host}:{args.port}/  (field app at /, API schema at /schema)")
    sys.stdout.flush()
    cmd_serve(settings, args)


def cmd_worker(settings: Settings, _args: argparse.Namespace) -> None:
    """The notification rules and push delivery in a process of their own (run the server with
    RASD_SCHEDULER=off then). Runs until SIGTERM or Ctrl-C."""
    from backend.logs import configure_logging
    from backend.notifications.scheduler import run_worker

    configure_logging(json_lines=settings.log_json)
    asyncio.run(run_worker(settings))


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> None:
    data = msgspec.convert(
        {
            "username": args.username,
            "password": _password(args),
            "role": args.role,
            "scope": msgspec.to_builtins(parse_scope(args.scope)),
            "display_name": args.display_name or "",
            "language": args.language,
        },
        UserCreate,
    )
    user = _run(settings, lambda db: users.create_user(db, data))
    print(f"created {user.username} ({user.role}, {user.scope.kind} {','.join(user.scope.ids)})")


def _update(settings: Settings, username: str, update: UserUpdate) -> None:
    async def work(db: Database) -> None:
        user_id = await users.find_user_id(db, username)
        await users.update_user(db, user_id, update)

    _run(settings, work)
    print(f"updated {username}")


def cmd_user_update(settings: Settings, args: argparse.Namespace) -> None:
    match args.command:
        case "set-password":
            update = msgspec.convert({"password": _password(args)}, UserUpdate)
        case "set-role":
            update = UserUpdate(role=args.role)
        case "set-scope":
            update = UserUpdate(scope=parse_scope(args.scope))
        case "disable":
            update = UserUpdate(active=False)
        case _:
            update = UserUpdate(active=True)
    _update(settings, args.username, update)


def cmd_user_list(settings: Settings, _args: argparse.Namespace) -> None:
    page = _run(settings, lambda db: users.list_users(db, offset=0, limit=500))
    for user in page.items:
        state = "" if user.active else "  (disabled)"
        print(f"{user.username:20} {user.role:18} {user.scope.kind}:{','.join(user.scope.ids)}{state}")


def cmd_device_revoke(settings: Settings, args: argparse.Namespace) -> None:
    device = _run(settings, lambda db: users.revoke_device(db, uuid.UUID(args.device_id)))
    print(f"revoked device {device.id} of user {device.user_id}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rasd", description="Rasd field-inspection server")
    commands = parser.add_subparsers(dest="group", required=True)
    commands.add_parser("migrate", help="upgrade the database schema").set_defaults(func=cmd_migrate)
    demo = commands.add_parser("demo", help="seed the demo data, users and history (once)")
    demo.add_argument(
        "--scale", type=int, default=1, help="visits per agency and quarter in the history (40: ~100k visits)"
    )
    demo.set_defaults(func=cmd_demo)
    for name, func in (("serve", cmd_serve), ("run", cmd_run)):
        serve = commands.add_parser(
            name, help="start the server" + (" after migrate and demo" if name == "run" else "")
        )
        serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        serve.add_argument("--workers", type=int, default=int(os.environ.get("RASD_WORKERS", "1")))
        serve.set_defaults(func=func)

    commands.add_parser(
        "worker", help="run the notification rules and push delivery (for RASD_SCHEDULER=off servers)"
    ).set_defaults(func=cmd_worker)

    user = commands.add_parser("user", help="manage users").add_subparsers(dest="command", required=True)
    create = user.add_parser(
        "create", help="create a user (password from RASD_NEW_PASSWORD, stdin or prompt)"
    )
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument(
        "--scope", required=True, help="national | bodies:CNAS,CNR | wilayas:16,31 | agencies:<uuid>"
    )
    create.add_argument("--display-name")
    create.add_argument("--language", default="ar", choices=("ar", "fr", "en"))
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(func=cmd_user_create)
    for name, extra in (
        ("set-password", None),
        ("set-role", "role"),
        ("set-scope", "scope"),
        ("disable", None),
        ("enable", None),
    ):
        sub = user.add_parser(name)
        sub.add_argument("username")
        if extra == "role":
            sub.add_argument("role", choices=ROLES)
        elif extra == "scope":
            sub.add_argument("scope")
        if name == "set-password":
            sub.add_argument("--password-stdin", action="store_true")
        sub.set_defaults(func=cmd_user_update)
    user.add_parser("list").set_defaults(func=cmd_user_list)

    device = commands.add_parser("device", help="manage devices").add_subparsers(
        dest="command", required=True
    )
    revoke = device.add_parser("revoke", help="revoke a lost device")
    revoke.add_argument("device_id")
    revoke.set_defaults(func=cmd_device_revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        args.func(settings, args)
    except msgspec.ValidationError as exc:
        raise SystemExit(f"rasd: {exc}") from exc
    except DomainError as exc:
        raise SystemExit("rasd: " + translate(exc.code, "en", field=exc.field or "", **exc.params)) from exc


if __name__ == "__main__":
    main()
