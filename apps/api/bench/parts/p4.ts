export async function p4() {}
