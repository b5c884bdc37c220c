/// The report's style sheet, inlined so the HTML file stands alone.
enum HTMLStyle {
    /// Everything before a page's content: the head (strict Content-Security-Policy: no
    /// scripts, images only as data URLs) and the opening of `<body><main>`.
    static func documentStart(title: String, generator: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
        <meta name="generator" content="\(HTMLText.escape(generator))">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>

        """
    }

    static let css = """
        :root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --link: #0b5cad; color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 28px 22px 64px; }
        a { color: var(--link); }
        h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .3rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.3rem; margin: 2.4rem 0 .7rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
        h3 { font-size: 1.05rem; margin: 1.3rem 0 .4rem; overflow-wrap: anywhere; }
        h4 { font-size: .95rem; margin: 1rem 0 .4rem; color: var(--muted); }
        code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .88em; }
        .lede { color: var(--muted); max-width: 75ch; }
        .muted { color: var(--muted); }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1.2rem; margin: 1rem 0; }
        dl.meta dt { color: var(--muted); }
        dl.meta dd { margin: 0; overflow-wrap: anywhere; }
        nav.toc { display: flex; flex-wrap: wrap; gap: .3rem 1.1rem; padding: .6rem .9rem; background: var(--panel); border-radius: 8px; font-size: .92rem; }
        .takeaways { border-left: 4px solid #D55E00; background: #fff7f2; padding: .6rem 1rem; margin: 1.2rem 0; border-radius: 0 8px 8px 0; }
        .takeaways ol { margin: .3rem 0 .2rem; padding-left: 1.3rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
        td.nowrap { white-space: nowrap; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
        th { background: var(--panel); font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .4em; vertical-align: -.05em; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 14px; }
        .card { border: 1px solid var(--line); border-top: 6px solid var(--model); border-radius: 8px; padding: 12px 16px; break-inside: avoid; }
        .card h3 { margin: 0 0 .2rem; }
        .card .fingerprint { font-size: .78rem; color: var(--muted); overflow-wrap: anywhere; }
        .card .big { font-size: 2.1rem; font-weight: 700; line-height: 1.1; margin-top: .5rem; font-variant-numeric: tabular-nums; }
        .card dl { display: grid; grid-template-columns: 1fr max-content; gap: .1rem .8rem; margin: .6rem 0 0; font-size: .9rem; }
        .card dt { color: var(--muted); }
        .card dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: .6rem 0 1.4rem; }
        figcaption { color: var(--muted); font-size: .88rem; margin-top: .2rem; }
        svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
        svg.chart text { font-size: 11px; fill: #333; }
        svg.chart text.label { font-size: 12px; fill: #1b1f24; }
        svg.chart text.value { font-size: 12px; font-weight: 600; fill: #1b1f24; }
        svg.chart text.small { font-size: 10px; }
        svg.chart text.axis { font-size: 12px; font-weight: 600; fill: #57606a; }
        svg.chart text.cell { font-size: 13px; font-weight: 700; }
        svg.chart text.cell-n { font-size: 10px; }
        svg.chart .grid { stroke: #e1e4e8; stroke-width: 1; }
        svg.chart .ci line { stroke: #24292f; stroke-width: 1.5; }
        svg.chart rect.empty { fill: #eef0f2; }
        svg.chart rect.outline { fill: none; stroke: #111; stroke-width: 3; }
        .legend { display: flex; flex-wrap: wrap; gap: .3rem 1.3rem; font-size: .9rem; margin: .3rem 0 .6rem; }
        .factor-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 0 28px; }
        .factor-charts figure.wide { grid-column: 1 / -1; }
        .heatmaps { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 10px 24px; }
        .finding { border: 1px solid var(--line); border-radius: 8px; padding: 12px 18px 14px; margin: 1rem 0 1.4rem; }
        .finding h3 { margin-top: .2rem; }
        .statement { font-size: 1.06rem; font-weight: 600; margin: .3rem 0 .5rem; overflow-wrap: anywhere; }
        .stats { font-size: .92rem; }
        .gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 12px; }
        .probe { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px 10px; background: var(--panel); font-size: .86rem; break-inside: avoid; }
        .probe img { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); margin-bottom: 6px; }
        .probe .missing { display: flex; align-items: center; justify-content: center; height: 60px; border: 1px dashed var(--line); color: var(--muted); margin-bottom: 6px; }
        .probe .pid { font-weight: 600; overflow-wrap: anywhere; }
        .probe .factors { color: var(--muted); font-size: .8rem; overflow-wrap: anywhere; }
        .probe dl { margin: .35rem 0 0; }
        .probe dt { color: var(--muted); font-size: .78rem; margin-top: .3rem; }
        .probe dd { margin: 0; }
        .text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .85rem; white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 1px 6px; display: block; }
        .empty-answer { color: var(--muted); font-style: italic; }
        .badge { display: inline-block; font-size: .72rem; font-weight: 700; letter-spacing: .03em; text-transform: uppercase; padding: 0 .45em; border-radius: 4px; margin-left: .3em; }
        .badge.correct { background: #dafbe1; color: #116329; }
        .badge.wrong { background: #ffebe9; color: #a40e26; }
        .badge.error { background: #fff8c5; color: #7d4e00; }
        .glossary dt { font-weight: 600; margin-top: .7rem; }
        .glossary dd { margin: .1rem 0 0 0; max-width: 80ch; }
        footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: .6rem; }
        @media (max-width: 600px) { main { padding: 16px 12px 40px; } .card .big { font-size: 1.7rem; } }
        @media print {
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          body { font-size: 11pt; }
          main { max-width: none; padding: 0; }
          nav.toc { display: none; }
          a { color: inherit; text-decoration: none; }
          h2, h3 { break-after: avoid; }
          .finding, .probe, .card, figure { break-inside: avoid; }
        }
        """
}
