"""The catalogue of error messages, keyed by the stable problem code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from backend.i18n.language import DEFAULT_LANGUAGE

# {field} is replaced by the field's name; every code has the three languages (a test checks it).
_BUILTIN: Final[dict[str, dict[str, str]]] = {
    "invalid": {
        "ar": "قيمة غير صالحة في الحقل «{field}»: {detail}",
        "fr": "Valeur invalide pour le champ « {field} » : {detail}",
        "en": "Invalid value for field “{field}”: {detail}",
    },
    "malformed": {
        "ar": "تعذّرت قراءة الطلب: {detail}",
        "fr": "Requête illisible : {detail}",
        "en": "The request could not be read: {detail}",
    },
    "required": {
        "ar": "الحقل «{field}» مطلوب.",
        "fr": "Le champ « {field} » est obligatoire.",
        "en": "The field “{field}” is required.",
    },
    "bad_credentials": {
        "ar": "اسم المستخدم أو كلمة المرور غير صحيحة.",
        "fr": "Identifiant ou mot de passe incorrect.",
        "en": "Wrong username or password.",
    },
    "too_many_attempts": {
        "ar": "محاولات دخول كثيرة. أعد المحاولة بعد {minutes} دقيقة.",
        "fr": "Trop de tentatives de connexion. Réessayez dans {minutes} minutes.",
        "en": "Too many sign-in attempts. Try again in {minutes} minutes.",
    },
    "not_authenticated": {
        "ar": "يجب تسجيل الدخول.",
        "fr": "Vous devez vous connecter.",
        "en": "You must sign in.",
    },
    "forbidden": {
        "ar": "ليست لديك صلاحية القيام بهذا.",
        "fr": "Vous n'avez pas le droit de faire cela.",
        "en": "You are not allowed to do this.",
    },
    "out_of_scope": {
        "ar": "هذا خارج نطاق صلاحياتك.",
        "fr": "Ceci est hors de votre périmètre.",
        "en": "This is outside your scope.",
    },
    "csrf_failed": {
        "ar": "انتهت صلاحية الصفحة أو رمز الحماية مفقود. أعد تحميل الصفحة.",
        "fr": "Jeton de sécurité manquant ou expiré. Rechargez la page.",
        "en": "Security token missing or expired. Reload the page.",
    },
    "not_found": {
        "ar": "غير موجود.",
        "fr": "Introuvable.",
        "en": "Not found.",
    },
    "method_not_allowed": {
        "ar": "هذه العملية غير مسموحة هنا.",
        "fr": "Méthode non autorisée ici.",
        "en": "Method not allowed here.",
    },
    "too_large": {
        "ar": "الطلب أكبر من المسموح.",
        "fr": "La requête est trop volumineuse.",
        "en": "The request is too large.",
    },
    "already_exists": {
        "ar": "القيمة «{value}» للحقل «{field}» مستعملة من قبل.",
        "fr": "La valeur « {value} » du champ « {field} » existe déjà.",
        "en": "The value “{value}” of field “{field}” already exists.",
    },
    "device_revoked": {
        "ar": "تم إلغاء هذا الجهاز. اتصل بالمسؤول.",
        "fr": "Cet appareil a été révoqué. Contactez l'administrateur.",
        "en": "This device has been revoked. Contact the administrator.",
    },
    "unavailable": {
        "ar": "الخدمة غير متاحة مؤقتًا. لم يُفقد أي شيء، أعد المحاولة.",
        "fr": "Service momentanément indisponible. Rien n'est perdu, réessayez.",
        "en": "Service temporarily unavailable. Nothing was lost; try again.",
    },
    "seq_gap": {
        "ar": "تسلسل العمليات منقطع: {detail}",
        "fr": "Séquence d'opérations interrompue : {detail}",
        "en": "The sequence of operations has a gap: {detail}",
    },
    "payload_too_large": {
        "ar": "الدفعة كبيرة جدًا: {detail}",
        "fr": "Lot trop volumineux : {detail}",
        "en": "The batch is too large: {detail}",
    },
    "too_many_ops": {
        "ar": "عدد العمليات في الدفعة أكبر من المسموح: {detail}",
        "fr": "Trop d'opérations dans le lot : {detail}",
        "en": "Too many operations in the batch: {detail}",
    },
    "unsupported_media_type": {
        "ar": "صيغة غير مدعومة: {detail}",
        "fr": "Format non pris en charge : {detail}",
        "en": "Unsupported format: {detail}",
    },
    "malformed_payload": {
        "ar": "تعذّرت قراءة الدفعة: {detail}",
        "fr": "Lot illisible : {detail}",
        "en": "The batch could not be read: {detail}",
    },
    "unsupported_protocol": {
        "ar": "إصدار بروتوكول غير مدعوم: {detail}",
        "fr": "Version de protocole non prise en charge : {detail}",
        "en": "Unsupported protocol version: {detail}",
    },
    "invalid_payload": {
        "ar": "قيمة غير صالحة في «{field}»: {detail}",
        "fr": "Valeur invalide dans « {field} » : {detail}",
        "en": "Invalid value in “{field}”: {detail}",
    },
    "duplicate_seq": {
        "ar": "رقم تسلسل مكرر: {detail}",
        "fr": "Numéro de séquence en double : {detail}",
        "en": "Duplicate sequence number: {detail}",
    },
    "invalid_cursor": {
        "ar": "مؤشر المزامنة غير صالح: {detail}",
        "fr": "Curseur de synchronisation invalide : {detail}",
        "en": "Invalid sync cursor: {detail}",
    },
    "invalid_hlc": {
        "ar": "ختم زمني غير صالح: {detail}",
        "fr": "Horodatage invalide : {detail}",
        "en": "Invalid timestamp: {detail}",
    },
    "offset_mismatch": {
        "ar": "يحتفظ الخادم بـ {offset} بايت من هذا الملف؛ استأنف الإرسال من هناك.",
        "fr": "Le serveur détient {offset} octets de ce fichier ; reprenez l'envoi à partir de là.",
        "en": "The server holds {offset} bytes of this file; resume the upload from there.",
    },
    "length_mismatch": {
        "ar": "هذا الملف معروف لدى الخادم بحجم {length} بايت.",
        "fr": "Ce fichier est connu du serveur avec une taille de {length} octets.",
        "en": "The server knows this file with a size of {length} bytes.",
    },
    "hash_mismatch": {
        "ar": "المحتوى المستلم لا يطابق بصمته (SHA-256)؛ أُلغي الإرسال، أعد إرسال الملف من البداية.",
        "fr": "Le contenu reçu ne correspond pas à son empreinte SHA-256 ; l'envoi est annulé, "
        "renvoyez le fichier depuis le début.",
        "en": "The bytes received do not match their SHA-256; the upload was discarded, "
        "send the file again from the start.",
    },
    "unsupported_type": {
        "ar": "نوع ملف غير مقبول: تُقبل صور JPEG وPNG وWebP ومستندات PDF فقط.",
        "fr": "Type de fichier refusé : sont acceptés les photos JPEG, PNG ou WebP et les documents PDF.",
        "en": "File type not accepted: only JPEG, PNG or WebP photos and PDF documents are allowed.",
    },
    "invalid_push_endpoint": {
        "ar": "عنوان الاشتراك «{field}» غير صالح: يجب أن يكون عنوان https لخدمة إشعارات.",
        "fr": "L'adresse d'abonnement « {field} » est invalide : il faut l'URL https d'un service "
        "de notifications.",
        "en": "The subscription address “{field}” is not valid: it must be the https URL of a push service.",
    },
    "invalid_push_key": {
        "ar": "مفتاح الاشتراك «{field}» غير صالح.",
        "fr": "La clé d'abonnement « {field} » est invalide.",
        "en": "The subscription key “{field}” is not valid.",
    },
    "no_push_subscription": {
        "ar": "لا يوجد اشتراك في الإشعارات لهذا الحساب. فعّل الإشعارات على هذا الجهاز أولًا.",
        "fr": "Ce compte n'a aucun abonnement aux notifications. Activez d'abord les notifications sur "
        "cet appareil.",
        "en": "This account has no push subscription. Turn notifications on on this device first.",
    },
    # Notifications (backend/notifications/rules.py): a title and a body per kind.
    "notify.visit_due.title": {
        "ar": "زيارة قريبة الموعد",
        "fr": "Visite à faire bientôt",
        "en": "Visit due soon",
    },
    "notify.visit_due.body": {
        "ar": "زيارة {agency} مطلوبة قبل {date}.",
        "fr": "La visite de {agency} est à faire avant le {date}.",
        "en": "The visit to {agency} is due on {date}.",
    },
    "notify.visit_overdue.title": {
        "ar": "زيارة متأخرة",
        "fr": "Visite en retard",
        "en": "Visit overdue",
    },
    "notify.visit_overdue.body": {
        "ar": "زيارة {agency} كانت مطلوبة قبل {date} ولم تُرسل بعد.",
        "fr": "La visite de {agency} était à faire avant le {date} et n'a pas encore été envoyée.",
        "en": "The visit to {agency} was due on {date} and has not been submitted yet.",
    },
    "notify.action_due.title": {
        "ar": "أجل إجراء تصحيحي يقترب",
        "fr": "Échéance proche d'une action corrective",
        "en": "Corrective action deadline near",
    },
    "notify.action_due.body": {
        "ar": "«{action}» في {agency}: الأجل {date}.",
        "fr": "« {action} » à {agency} : échéance le {date}.",
        "en": "“{action}” at {agency}: deadline {date}.",
    },
    "notify.action_overdue.title": {
        "ar": "إجراء تصحيحي متأخر",
        "fr": "Action corrective en retard",
        "en": "Corrective action overdue",
    },
    "notify.action_overdue.body": {
        "ar": "«{action}» في {agency}: انقضى الأجل في {date}.",
        "fr": "« {action} » à {agency} : l'échéance du {date} est dépassée.",
        "en": "“{action}” at {agency}: the deadline of {date} has passed.",
    },
    "notify.critical_finding.title": {
        "ar": "ملاحظة حرجة",
        "fr": "Constat critique",
        "en": "Critical finding",
    },
    "notify.critical_finding.body": {
        "ar": "ملاحظة حرجة في {agency}: {finding}",
        "fr": "Constat critique à {agency} : {finding}",
        "en": "Critical finding at {agency}: {finding}",
    },
    "notify.visit_returned.title": {
        "ar": "أُعيدت إليك زيارة",
        "fr": "Visite renvoyée",
        "en": "Visit returned",
    },
    "notify.visit_returned.body": {
        "ar": "أعاد المراجع زيارة {agency} إليك لتصحيحها. {comment}",
        "fr": "Le relecteur vous a renvoyé la visite de {agency} pour correction. {comment}",
        "en": "The reviewer returned your visit to {agency} for correction. {comment}",
    },
    "notify.device_unsynced.title": {
        "ar": "عمل غير مُزامَن على جهازك",
        "fr": "Travail non synchronisé sur votre appareil",
        "en": "Unsynced work on your device",
    },
    "notify.device_unsynced.body": {
        "ar": "لم يُزامن الجهاز «{device}» منذ {date} وعليه زيارة جارية ({agency}). "
        "افتح رصد وأنت متصل بالشبكة لإرسالها.",
        "fr": "L'appareil « {device} » n'a pas synchronisé depuis le {date} et a une visite en cours "
        "({agency}). Ouvrez Rasd avec du réseau pour l'envoyer.",
        "en": "The device “{device}” has not synced since {date} and holds a visit in progress ({agency}). "
        "Open Rasd with a network connection to send it.",
    },
    "notify.test.title": {
        "ar": "إشعار تجريبي من رصد",
        "fr": "Notification de test de Rasd",
        "en": "Rasd test notification",
    },
    "notify.test.body": {
        "ar": "الإشعارات تعمل على هذا الجهاز.",
        "fr": "Les notifications fonctionnent sur cet appareil.",
        "en": "Notifications work on this device.",
    },
    "internal": {
        "ar": "خطأ داخلي. لم يُحفظ أي تغيير من هذا الطلب.",
        "fr": "Erreur interne. Aucune modification de cette requête n'a été enregistrée.",
        "en": "Internal error. Nothing from this request was saved.",
    },
}


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _load_catalogues() -> dict[str, dict[str, str]]:
    """The built-in messages, then every ``catalogue/<feature>.json`` (the words of the server-rendered
    pages, one file per feature). A key defined twice is a mistake, refused at import."""
    merged = dict(_BUILTIN)
    for path in sorted((Path(__file__).parent / "catalogue").glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        clash = set(entries) & set(merged)
        if clash:
            raise ValueError(f"{path.name} redefines {sorted(clash)}")
        merged.update(entries)
    return merged


MESSAGES: Final = _load_catalogues()


def translate(code: str, language: str, **params: object) -> str:
    """The message of ``code`` in ``language``, with its parameters filled in."""
    entry = MESSAGES.get(code) or MESSAGES["internal"]
    template = entry.get(language) or entry[DEFAULT_LANGUAGE]
    return template.format_map(_Lenient(params))
