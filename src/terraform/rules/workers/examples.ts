/** Base64 of a script, as user_data_base64 and base64encode() hold it, for the rules' cases. */
export const b64 = (s: string) => Buffer.from(s).toString('base64');
