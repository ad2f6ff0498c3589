"""PDF reports for officers, built with `app.reports.pdf.Document` (fpdf2): the opening record of a
tender (`opening`), its evaluation report (`evaluation`) and a programme's periodic evaluation report
(`programme`). Their routes (`views`) hang on the exports blueprint, and the tender reports register in
`app.exports.registry`, so the tender page lists CSV, XLSX and PDF downloads in one block."""
