/**
 * A numeric node setting as a flow file holds it (a number, its text, or blank): a blank or unusable value means
 * the default, in the runtime as in the dialogs (which refuse unusable values before deploy).
 */
export function numericSetting(value: unknown, fallback: number, min: number, below = Infinity): number {
    const number = value === "" || value === undefined || value === null ? NaN : Number(value);
    return Number.isFinite(number) && number >= min && number < below ? number : fallback;
}
