"""The certificate PDF, drawn with ReportLab (one landscape A4 page with a verification QR code)."""

from __future__ import annotations

import io

from django.utils.formats import date_format
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from courses.models import Certificate

INK = colors.HexColor("#1f2937")
ACCENT = colors.HexColor("#4338ca")


def certificate_pdf_render(*, certificate: Certificate, verify_url: str) -> bytes:
    """The PDF bytes of a certificate; the text is stored uncompressed so it can be searched."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)
    pdf.setTitle(f"Certificate: {certificate.course_title}")
    pdf.setAuthor("Lumen")
    pdf.setSubject(f"Certificate {certificate.public_id}")

    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    center = width / 2
    pdf.setFillColor(ACCENT)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawCentredString(center, height - 40 * mm, "LUMEN")
    pdf.setFillColor(INK)
    pdf.setFont("Helvetica", 30)
    pdf.drawCentredString(center, height - 60 * mm, "Certificate of completion")
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 78 * mm, "This certifies that")
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(center, height - 94 * mm, certificate.learner_name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 108 * mm, "has completed the course")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(center, height - 122 * mm, certificate.course_title)
    pdf.setFont("Helvetica", 12)
    issued = date_format(certificate.issued_at, "j F Y")
    pdf.drawCentredString(center, height - 136 * mm, f"Issued on {issued}")

    pdf.setFont("Helvetica", 9)
    pdf.drawString(24 * mm, 30 * mm, f"Certificate ID: {certificate.public_id}")
    pdf.drawString(24 * mm, 24 * mm, f"Verify at: {verify_url}")

    qr = QrCodeWidget(verify_url)
    left, bottom, right, top = qr.getBounds()
    size = 30 * mm
    scale = [size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    drawing = Drawing(size, size, transform=scale)
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 24 * mm - size, 22 * mm)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
