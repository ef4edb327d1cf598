export async function p5() {}
