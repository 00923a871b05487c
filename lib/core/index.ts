export * from './errors';
export * from './validate';
export * from './names';
export * from './cidr';
export * from './tags';
export * from './units';
