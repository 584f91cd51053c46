/** Edit distance, ignoring case: "to" and "To" are 0 apart, "Bdy" and "Body" 1. */
function distance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const current = [i];
        for (let j = 1; j <= y.length; j++) {
            const substitution = previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[y.length];
}

/**
 * The valid name closest to a mistyped one, or undefined when none is close enough to be a plausible typo
 * (more than a third of the longer name would have to change).
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const d = distance(name, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    const longest = Math.max(name.length, best?.length ?? 0);
    return best !== undefined && bestDistance <= Math.max(1, Math.floor(longest / 3)) ? best : undefined;
}
