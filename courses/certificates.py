"""The printable certificate: a one-page landscape PDF drawn with ReportLab."""

from __future__ import annotations

import io

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from courses.models import Certificate

INK = HexColor("#1f2933")
ACCENT = HexColor("#3b5bdb")


def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as PDF bytes: learner, course, date, and where to verify it."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    page = canvas.Canvas(buffer, pagesize=(width, height))
    page.setTitle(f"Certificate: {certificate.course_title}")
    page.setAuthor("Lumen")
    page.setSubject(f"Certificate of completion for {certificate.learner_name}")
    page.setStrokeColor(ACCENT)
    page.setLineWidth(6)
    page.rect(28, 28, width - 56, height - 56)
    page.setFillColor(ACCENT)
    page.setFont("Helvetica-Bold", 16)
    page.drawCentredString(width / 2, height - 110, "LUMEN")
    page.setFillColor(INK)
    page.setFont("Helvetica", 30)
    page.drawCentredString(width / 2, height - 175, "Certificate of completion")
    page.setFont("Helvetica", 14)
    page.drawCentredString(width / 2, height - 225, "This certifies that")
    page.setFont("Helvetica-Bold", 28)
    page.drawCentredString(width / 2, height - 270, certificate.learner_name)
    page.setFont("Helvetica", 14)
    page.drawCentredString(width / 2, height - 310, "has completed the course")
    page.setFont("Helvetica-Bold", 22)
    page.drawCentredString(width / 2, height - 350, certificate.course_title[:80])
    page.setFont("Helvetica", 12)
    page.drawCentredString(width / 2, height - 395, f"Issued on {certificate.issued_at:%d %B %Y}")
    page.setFont("Helvetica", 10)
    page.drawCentredString(width / 2, 70, f"Verify this certificate at {verify_url}")
    page.drawCentredString(width / 2, 55, f"Certificate id {certificate.public_id}")
    page.showPage()
    page.save()
    return buffer.getvalue()
