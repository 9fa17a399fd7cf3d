// Expected CVSS 4.0 scores from FIRST's reference calculator (cvss40.js of
// github.com/RedHatProductSecurity/cvss-v4-calculator, the code behind FIRST's v4.0 calculator;
// Debian's ruby-cvss-suite 3.1.0 has no 4.0). Prints "VECTOR<TAB>SCORE", the score with every
// metric the vector gives (CVSS-B, -BT, -BE or -BTE).
//
//   node gen_cvss4.js CVSS40_JS all            every base vector (104,976)
//   node gen_cvss4.js CVSS40_JS random N SEED  N random vectors, with threat, environmental
//                                              and supplemental metrics in about half of them
//
// The committed fixture was made with (cvss40.js at commit d1eafe0):
//   node gen_cvss4.js cvss40.js random 1200 1 > v40_random.tsv
//   node gen_cvss4.js cvss40.js all | awk 'NR % 250 == 1' > v40_base_sample.tsv
// test_cvss runs it live (3,000 random vectors) when KW_CVSS40_JS names such a cvss40.js.
'use strict';
const path = require('path');
const { CVSS40, Vector } = require(path.resolve(process.argv[2]));

const BASE = Object.entries(Vector.METRICS.BASE);
const OPTIONAL = Object.entries(Vector.METRICS.THREAT)
    .concat(Object.entries(Vector.METRICS.ENVIRONMENTAL))
    .concat(Object.entries(Vector.METRICS.SUPPLEMENTAL));

function line(vector) {
    return vector + '\t' + new CVSS40(vector).score.toFixed(1);
}

function* allBase(i, parts) {
    if (i === BASE.length) {
        yield 'CVSS:4.0/' + parts.join('/');
        return;
    }
    for (const v of BASE[i][1])
        yield* allBase(i + 1, parts.concat(BASE[i][0] + ':' + v));
}

// A small seeded generator (mulberry32), so that a seed names the same vectors everywhere.
function rng(seed) {
    return () => {
        seed = (seed + 0x6D2B79F5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function random(n, seed) {
    const r = rng(seed), pick = (a) => a[Math.floor(r() * a.length)], out = [];
    for (let k = 0; k < n; k++) {
        const parts = BASE.map(([m, vals]) => m + ':' + pick(vals));
        const p = r() < 0.5 ? 0 : 0.3;
        for (const [m, vals] of OPTIONAL)
            if (r() < p)
                parts.push(m + ':' + pick(vals));
        out.push(line('CVSS:4.0/' + parts.join('/')));
    }
    return out;
}

const mode = process.argv[3];
if (mode === 'all') {
    for (const v of allBase(0, []))
        process.stdout.write(line(v) + '\n');
} else if (mode === 'random') {
    process.stdout.write(random(Number(process.argv[4]), Number(process.argv[5])).join('\n') + '\n');
} else {
    console.error('usage: node gen_cvss4.js CVSS40_JS all | random N SEED');
    process.exit(2);
}
