import packageJson from '../package.json';

export const id: string = packageJson.name;
