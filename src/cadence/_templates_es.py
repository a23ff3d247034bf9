"""The Spanish defaults of :class:`cadence._templates.Templates` (``locale="es"``): each text
means what its English default means, with the same ``{field}`` where it has one. Neutral
international Spanish; the rep is addressed as "usted", the prospect is "su contacto".
``{next_attempt}`` and ``{voicemail_day}`` follow "el" ("el martes por la mañana", "el lunes
2 de marzo")."""

from __future__ import annotations

__all__ = ["SPANISH"]

SPANISH: dict[str, str] = {
    "voicemail": (
        "Si le contesta el buzón de voz: diga que volverá a intentarlo el {next_attempt} y dé un "
        "motivo breve para hablar (una novedad, una oferta, un plazo si es urgente). No intente "
        "vender."
    ),
    "voicemail_next_is_email": (
        "Si le contesta el buzón de voz: diga que le escribirá por correo electrónico el "
        "{next_attempt} y dé un motivo breve para hablar. No intente vender."
    ),
    "voicemail_email": (
        "Mencione el mensaje de voz que dejó el {voicemail_day}; sea breve y repita el motivo "
        "para hablar."
    ),
    "voicemail_email_opt_out": (
        "Mencione el mensaje de voz que dejó el {voicemail_day} y repita por escrito lo que "
        "ofrecía: seguirá intentándolo, salvo que su contacto prefiera que no. Basta con una "
        "respuesta de una línea."
    ),
    "switch_to_email_subject": "Su solicitud sobre {topic}",
    "opt_out_offer": (
        "No logramos coincidir. Diga que seguirá intentándolo hasta que puedan hablar, salvo que "
        "su contacto prefiera que no, y que respetará su respuesta."
    ),
    "breakup": (
        "Un último mensaje, cordial: no ha sido posible hablar, así que cierra el expediente; su "
        "contacto puede escribirle en cualquier momento si algo cambia."
    ),
    "ask_permission": (
        "Antes de colgar, pregunte: ¿puedo volver a contactarle cuando haya novedades?"
    ),
    "ask_channel": (
        "Pregunte a su contacto por qué medio prefiere que se le contacte cuando usted necesite "
        "una respuesta (R16)."
    ),
    "ask_decision_makers": ("Pregunte quién más, aparte de su contacto, participa en la decisión."),
    "referral": (
        "Empiece por la recomendación: diga en una frase quién le sugirió ponerse en contacto y "
        "por qué; después pida una conversación breve."
    ),
    "agree_next_contact": (
        "Antes de terminar, acuerde una fecha y una hora concretas para el próximo contacto."
    ),
    "drip_touch": "Comparta algo útil (una novedad, un caso, una idea), sin pedir nada.",
    "receptionist": (
        "Llame a recepción o a su asistente: diga que le está costando localizar a su contacto "
        "y pregunte si ha estado ausente o si ha cambiado algo."
    ),
    "receptionist_by_email": (
        "Escriba a recepción o a su asistente: diga que le está costando localizar a su contacto "
        "y pregunte si ha estado ausente o si ha cambiado algo."
    ),
    "manager_escalation": (
        "Pida a su responsable que se dirija al superior de su contacto, para que usted "
        "conserve una buena relación con este."
    ),
    "referral_unnamed": (
        "Su contacto no ha nombrado a nadie: pregúntele a quién dirigirse y cómo."
    ),
    "switch_to_email": "Use un asunto que haga referencia a su solicitud; sea breve.",
    "apology": "Pida disculpas cordialmente por la cancelación; sea breve.",
    "apology_call": (
        "Pida disculpas cordialmente por la cancelación; proponga ya dos o tres horarios nuevos."
    ),
    "apology_call_rebooked": (
        "Pida disculpas cordialmente por la cancelación; agradézcale que haya concertado una "
        "nueva cita."
    ),
    "apology_call_no_meetings": (
        "Pida disculpas cordialmente por la cancelación; su contacto ha pedido no tener más "
        "reuniones."
    ),
    "apology_after_voicemail": (
        "Pida disculpas por la cancelación y diga que ha dejado un mensaje de voz; sea breve."
    ),
    "flexibility_call": (
        "Muéstrese flexible: antes o después del horario laboral, o un café o una comida si su "
        "contacto está cerca."
    ),
    "flexibility": ("Muéstrese flexible: una opción antes y otra después de su horario habitual."),
    "meet_locally": "Su contacto está cerca: proponga verse para tomar un café o comer.",
    "send_invitation": (
        "Envíe la invitación en cuanto su contacto elija un horario, para que la cita quede en "
        "su agenda."
    ),
    "missed_meeting_voicemail": (
        "Diga que ha dejado un mensaje de voz sobre la reunión que no tuvo lugar; sea breve."
    ),
    "rebook_after_absence": (
        "Dele la bienvenida a su regreso; proponga cordialmente una nueva fecha para la reunión."
    ),
    "rebook": "Agradézcale el aviso; proponga cordialmente una nueva fecha.",
    "material": (
        "Envíe ya la oferta o la documentación prometida; diga que pronto la comentarán juntos."
    ),
    "material_missed_meeting": (
        "Como la reunión no pudo celebrarse, envíe información adicional que haga más "
        "productiva la próxima."
    ),
    "material_email_bounced": (
        "El correo electrónico a su contacto fue devuelto: pida una dirección que funcione; una "
        "vez registrada, la documentación se enviará por correo electrónico."
    ),
    "material_no_email": (
        "Su contacto no quiere recibir correos electrónicos: repasen juntos la documentación en "
        "esta llamada (si contesta el buzón de voz, resúmala en una frase y ofrezca repasarla "
        "cuando le devuelvan la llamada); envíela por escrito solo si vuelve a aceptar correos "
        "electrónicos."
    ),
    "material_at_meeting": (
        "Lleve la información adicional que iba a enviar antes de la reunión y repásenla "
        "juntos: así la reunión será más productiva (R15)."
    ),
    "log_meeting": (
        "Registre la reunión: meeting_held, con el próximo contacto acordado y su permiso para "
        "seguir en contacto, o meeting_no_show."
    ),
    "moved_away": "La hora acordada ha cambiado (su contacto estaba ausente): avísele.",
    "moved_legal_cap": (
        "La hora acordada ha cambiado (un límite legal de llamadas la excluye): avísele."
    ),
    "moved_day_off": "La hora acordada ha cambiado (cae en un día no laborable): avísele.",
    "moved_outside_hours": (
        "La hora acordada ha cambiado (queda fuera del horario que permiten la política y la "
        "ley): avísele."
    ),
}
