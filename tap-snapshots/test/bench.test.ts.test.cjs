/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/bench.test.ts > TAP > svg: a well-formed chart whose bars scale with their values > the chart as text 1`] = `
<svg xmlns="http://www.w3.org/2000/svg" width="820" height="304" viewBox="0 0 820 304" role="img" aria-label="crossbake &lt;bench&gt; &amp; naive">
<style>text{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:12px;fill:#222}.heading{font-size:16px;font-weight:600}.title{font-size:14px;font-weight:600}.muted{fill:#777}</style>
<rect width="820" height="304" fill="#fff"/>
<text x="16" y="24" class="heading">crossbake &lt;bench&gt; &amp; naive</text>
<text x="16" y="54" class="title">cold build, by phase</text>
<rect x="16" y="64" width="12" height="12" fill="#2f6fdf"/>
<text x="32" y="74">crossbake</text>
<rect x="103" y="64" width="12" height="12" fill="#e07b39"/>
<text x="119" y="74">naive (qemu)</text>
<text x="222" y="106" text-anchor="end">toolchain</text>
<rect x="230" y="86" width="94" height="14" fill="#2f6fdf"><title>crossbake, toolchain: 60.0 s</title></rect>
<text x="328" y="97">60.0 s</text>
<rect x="230" y="104" width="470" height="14" fill="#e07b39"><title>naive (qemu), toolchain: 300 s</title></rect>
<text x="704" y="115">300 s</text>
<text x="222" y="148" text-anchor="end">build</text>
<rect x="230" y="128" width="31.3" height="14" fill="#2f6fdf"><title>crossbake, build: 20.0 s</title></rect>
<text x="265.3" y="139">20.0 s</text>
<text x="232" y="157" class="muted">not measured</text>
<text x="16" y="180" class="muted">one run, 2 cores</text>
<text x="16" y="216" class="title">one more binary</text>
<rect x="16" y="226" width="12" height="12" fill="#444"/>
<text x="32" y="236">per binary</text>
<text x="222" y="259" text-anchor="end">cold</text>
<rect x="230" y="248" width="470" height="14" fill="#444"><title>per binary, cold: 12.5 s</title></rect>
<text x="704" y="259">12.5 s</text>
</svg>

`
